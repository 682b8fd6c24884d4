/**
 * Names found on every plain object (Object.prototype's members, `__proto__`, and `prototype`):
 * an unknown-field check that looks names up in an object, rather than comparing own keys,
 * lets them through. Used by the unknown-fields and malformed-input suites.
 */
export const PROTOTYPE_NAMES = [
  'toString',
  'constructor',
  'hasOwnProperty',
  'valueOf',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
  '__proto__',
  'prototype',
];
