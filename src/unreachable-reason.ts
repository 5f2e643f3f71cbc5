/**
 * Why a host could not be reached, in the words every message uses ("connection refused"), whatever asked:
 * a backend, `cmdai doctor` or the discovery of local servers. Unknown codes are shown as they are.
 */
export function unreachableReason(code: string | undefined): string {
  switch (code) {
    case "ECONNREFUSED":
      return "connection refused";
    case "UND_ERR_CONNECT_TIMEOUT":
    case "ETIMEDOUT":
      return "connecting timed out";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "host name not found";
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return "host unreachable";
    case "ECONNRESET":
    case "UND_ERR_SOCKET":
      return "connection reset";
    case undefined:
      return "network error";
    default:
      return code;
  }
}
