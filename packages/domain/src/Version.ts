/** The server and API version; the SDK's major version follows the API's. */
export const Version = "0.2.0"
