/** Unit specs only, as one plain config (Stryker's jest runner does not select projects). */
module.exports = require('./jest.projects').unit;
