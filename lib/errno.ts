/**
 * C library error texts. Node reports system errors by code (`ENOENT`); the
 * originals we reproduce print glibc's strerror(3) text, so operators see
 * the same words they always did.
 *
 * @module
 */

const GLIBC_TEXT: Record<string, string> = {
  EPERM: "Operation not permitted",
  ENOENT: "No such file or directory",
  ESRCH: "No such process",
  EINTR: "Interrupted system call",
  EIO: "Input/output error",
  ENXIO: "No such device or address",
  E2BIG: "Argument list too long",
  ENOEXEC: "Exec format error",
  EBADF: "Bad file descriptor",
  ECHILD: "No child processes",
  EAGAIN: "Resource temporarily unavailable",
  ENOMEM: "Cannot allocate memory",
  EACCES: "Permission denied",
  EBUSY: "Device or resource busy",
  EEXIST: "File exists",
  EXDEV: "Invalid cross-device link",
  ENODEV: "No such device",
  ENOTDIR: "Not a directory",
  EISDIR: "Is a directory",
  EINVAL: "Invalid argument",
  ENFILE: "Too many open files in system",
  EMFILE: "Too many open files",
  ETXTBSY: "Text file busy",
  EFBIG: "File too large",
  ENOSPC: "No space left on device",
  ESPIPE: "Illegal seek",
  EROFS: "Read-only file system",
  EMLINK: "Too many links",
  EPIPE: "Broken pipe",
  ERANGE: "Numerical result out of range",
  ENAMETOOLONG: "File name too long",
  ENOSYS: "Function not implemented",
  ENOTEMPTY: "Directory not empty",
  ELOOP: "Too many levels of symbolic links",
  ENOTSOCK: "Socket operation on non-socket",
  EMSGSIZE: "Message too long",
  EPROTO: "Protocol error",
  EPROTOTYPE: "Protocol wrong type for socket",
  ENOPROTOOPT: "Protocol not available",
  EPROTONOSUPPORT: "Protocol not supported",
  ENOTSUP: "Operation not supported",
  EOPNOTSUPP: "Operation not supported",
  EADDRINUSE: "Address already in use",
  EADDRNOTAVAIL: "Cannot assign requested address",
  ENETDOWN: "Network is down",
  ENETUNREACH: "Network is unreachable",
  ENETRESET: "Connection reset by network",
  ECONNABORTED: "Software caused connection abort",
  ECONNRESET: "Connection reset by peer",
  ENOBUFS: "No buffer space available",
  EISCONN: "Transport endpoint is already connected",
  ENOTCONN: "Transport endpoint is not connected",
  ETIMEDOUT: "Connection timed out",
  ECONNREFUSED: "Connection refused",
  EHOSTDOWN: "Host is down",
  EHOSTUNREACH: "No route to host",
  EALREADY: "Operation already in progress",
  EINPROGRESS: "Operation now in progress",
  EDQUOT: "Disk quota exceeded",
};

/**
 * glibc's text for an errno code name; the code itself when unknown.
 *
 * @example
 * ```ts
 * strerror("ENOENT"); // "No such file or directory"
 * ```
 */
export function strerror(code: string): string {
  return GLIBC_TEXT[code] ?? code;
}

/**
 * The errno code name carried by a thrown value (`err.code`), if any.
 *
 * @example
 * ```ts
 * try { readFileSync("/nope"); } catch (e) { errorCode(e); } // "ENOENT"
 * ```
 */
export function errorCode(err: unknown): string | undefined {
  if (typeof err === "object" && err !== null && "code" in err) {
    const code = (err as { code: unknown }).code;
    if (typeof code === "string") return code;
  }
  return undefined;
}

/**
 * strerror(3) text for a thrown value: glibc's words for system errors,
 * the error's own message otherwise.
 *
 * @example
 * ```ts
 * describeError(Object.assign(new Error("x"), { code: "EACCES" })); // "Permission denied"
 * ```
 */
export function describeError(err: unknown): string {
  const code = errorCode(err);
  if (code && code in GLIBC_TEXT) return strerror(code);
  if (err instanceof Error) return err.message;
  return String(err);
}
