// The single API client of the page, bound to this origin and to sessionStorage.
import { Api } from "./lib/api";

export const api = new Api((input, init) => fetch(input, init), window.sessionStorage);
