/** The server and API version; the SDK's major version follows the API's. */
export const Version = "0.1.0"
