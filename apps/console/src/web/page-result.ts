import type { CookieOptions, Response } from 'express';
import { PageData } from './page-renderer';

/** The navigation a page sits under: the partner console's, or My Profile's. */
export type ShellNav =
  | 'customers'
  | 'licenses'
  | 'audit'
  | 'settings'
  | 'profile'
  | 'security'
  | 'subscriptions'
  | 'users'
  | 'company-licenses';

type CookieOp =
  | { kind: 'set'; name: string; value: string; options: CookieOptions }
  | { kind: 'clear'; name: string; options: CookieOptions };

/**
 * Cookies a page handler sets or clears (a sign-in's session), applied by PageInterceptor when
 * it sends the page or the redirect. Shaped like Express's response, so the cookie helpers the
 * JSON API uses take it too.
 */
export class PageCookies {
  private readonly ops: CookieOp[] = [];

  cookie(name: string, value: string, options: CookieOptions): this {
    this.ops.push({ kind: 'set', name, value, options });
    return this;
  }

  clearCookie(name: string, options: CookieOptions): this {
    this.ops.push({ kind: 'clear', name, options });
    return this;
  }

  applyTo(res: Response): void {
    for (const op of this.ops) {
      if (op.kind === 'set') res.cookie(op.name, op.value, op.options);
      else res.clearCookie(op.name, op.options);
    }
  }
}

interface Extras {
  /** Headers of this response only: Retry-After, Referrer-Policy. */
  headers?: Record<string, string>;
  cookies?: PageCookies;
}

export interface PageOptions extends Extras {
  status?: number;
  /** Inside the signed-in shell, under this navigation entry (with a CSRF token for sign-out). */
  shell?: ShellNav;
  /** A page with a form outside the shell: a CSRF token for it. */
  csrf?: boolean;
}

/** What a page handler shows: a view with its data. */
export class Page {
  constructor(
    readonly view: string,
    readonly data: PageData,
    readonly options: PageOptions = {},
  ) {}
}

/** Where a page handler sends the browser next (303 See Other, so a reload does not repeat a POST). */
export class Redirect {
  constructor(
    readonly url: string,
    readonly options: Extras = {},
  ) {}
}

export type PageResult = Page | Redirect;

export const page = (view: string, data: PageData, options: PageOptions = {}): Page => new Page(view, data, options);
export const redirect = (url: string, options: Extras = {}): Redirect => new Redirect(url, options);
