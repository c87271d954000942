// The single API client of the page, bound to sessionStorage. The API is on the same origin
// (the local gateway serves web/dist beside it); a deployment that serves the pages from
// elsewhere (S3 + CloudFront) builds with VITE_API_BASE=https://<api id>.execute-api.<region>.amazonaws.com
// and lists the pages' origin in the API's AllowedOrigins (CORS).
import { Api } from "./lib/api";

const base = String(import.meta.env.VITE_API_BASE ?? "").replace(/\/+$/, "");

export const api = new Api((input, init) => fetch(input, init), window.sessionStorage, base);
