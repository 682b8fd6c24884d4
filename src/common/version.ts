/** The service's version: the OpenAPI document, `captions_api_info` (package.json says the same). */
export const APP_VERSION = '14.0.0';
