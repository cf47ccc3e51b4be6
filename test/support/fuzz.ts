import { INestApplication, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { ModulesContainer } from '@nestjs/core';
import { getMetadataStorage } from 'class-validator';
import fc from 'fast-check';
import request from 'supertest';
import TestAgent from 'supertest/lib/agent';
import { ProvisioningService } from '@lmp/tenancy';
import { insertUser, USER_PASSWORD } from './account-flow';
import { ADMIN_PASSWORD, partnerWithAdmin } from './fixtures';
import { signIn } from './http';
import { supportUser } from './partner-console';

/**
 * Property-based fuzzing of the JSON API: every route under /api that Nest serves, found at run
 * time (a new route is fuzzed without touching this file), called anonymously and as each role
 * with hostile path parameters, query strings and bodies. Shared by test/e2e/fuzz.e2e-spec.ts
 * (a few hundred requests in `npm test`) and `npm run fuzz` (as many as asked).
 */

export interface FuzzRoute {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Express form, e.g. /api/v1/partner/customers/:customerId */
  path: string;
  params: string[];
  /** Property names of the body's DTO, if it takes a body. */
  bodyFields: string[] | null;
  queryFields: string[];
  /** The roles the route admits (its @Roles), so most requests get past the guard; empty: any. */
  roles: string[];
}

/** The DTO's validated properties, its parents' included (a nested DTO's come as plausible values). */
function dtoFields(type: unknown): string[] {
  if (typeof type !== 'function' || [String, Number, Boolean, Object].includes(type as never)) return [];
  const metas = getMetadataStorage().getTargetValidationMetadatas(type as new () => object, '', true, false);
  return [...new Set(metas.map((m) => m.propertyName))];
}

/** Every route of every controller whose path starts with /api, from Nest's own metadata. */
export function jsonRoutes(app: INestApplication): FuzzRoute[] {
  const routes: FuzzRoute[] = [];
  for (const mod of app.get(ModulesContainer).values()) {
    for (const wrapper of mod.controllers.values()) {
      const ctrl = wrapper.metatype as (new (...args: never[]) => object) | null;
      if (!ctrl) continue;
      const base = String(Reflect.getMetadata(PATH_METADATA, ctrl) ?? '');
      const proto = ctrl.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(proto)) {
        const handler = proto[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const sub = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
        if (sub === undefined) continue;
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
        const path = ('/' + [base, sub].filter((p) => p && p !== '/').join('/')).replace(/\/+/g, '/');
        if (!path.startsWith('/api/') || !['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(method)) continue;
        const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, ctrl, name) ?? {}) as Record<string, { index: number }>;
        const types = (Reflect.getMetadata('design:paramtypes', proto, name) ?? []) as unknown[];
        let bodyFields: string[] | null = null;
        let queryFields: string[] = [];
        for (const [key, arg] of Object.entries(args)) {
          const kind = Number(key.split(':')[0]);
          if (kind === RouteParamtypes.BODY) bodyFields = dtoFields(types[arg.index]);
          if (kind === RouteParamtypes.QUERY) queryFields = dtoFields(types[arg.index]);
        }
        const params = [...path.matchAll(/:(\w+)/g)].map((m) => m[1]);
        // The metadata key of apps/console/src/http/guards.ts's @Roles.
        const roles = (Reflect.getMetadata('lmp:roles', handler) ??
          Reflect.getMetadata('lmp:roles', ctrl) ??
          []) as string[];
        routes.push({ method: method as FuzzRoute['method'], path, params, bodyFields, queryFields, roles });
      }
    }
  }
  return routes.sort((a, b) => `${a.path} ${a.method}`.localeCompare(`${b.path} ${b.method}`));
}

/**
 * The routes Express actually serves under /api/v1 (the JSON API; /api/openapi.json and
 * /api/docs are not part of it), as `METHOD path`, to check jsonRoutes misses none.
 */
export function servedApiRoutes(app: INestApplication): string[] {
  const instance = app.getHttpAdapter().getInstance() as {
    router: { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> };
  };
  const out: string[] = [];
  for (const layer of instance.router.stack) {
    if (!layer.route || !layer.route.path.startsWith('/api/v1/')) continue;
    for (const [m, on] of Object.entries(layer.route.methods))
      if (on && m !== '_all') out.push(`${m.toUpperCase()} ${layer.route.path}`);
  }
  return out.sort();
}

// ---------------------------------------------------------------------------------------------
// The cast: who calls, and the ids they aim at.

export const ROLES = [
  'anonymous',
  'partner_admin',
  'partner_support',
  'full_access',
  'read_only',
  'platform_admin',
] as const;
export type FuzzRole = (typeof ROLES)[number];

interface Actor {
  email: string;
  password: string;
  agent: TestAgent;
}

/**
 * Signed-in actors of every role and the ids path parameters are filled with. The actors' own
 * ids and companies are never path targets (a fuzzed PATCH would otherwise disable the account
 * the run signs in with); their own routes (/me, /company) are fuzzed directly.
 */
export interface FuzzWorld {
  actors: Partial<Record<FuzzRole, Actor>>;
  /** Real ids: the partner's second customer, its account, licence and reset; another partner's. */
  ids: string[];
  /** Addresses that exist, for sign-in and forgot-password bodies (never an actor's). */
  emails: string[];
}

let worldSeq = 0;

export async function buildWorld(app: INestApplication): Promise<FuzzWorld> {
  const code = `fz${Date.now().toString(36)}${worldSeq++}`;
  const { agent: admin, partnerId, adminEmail } = await partnerWithAdmin(app, code);
  const own = await admin.post('/api/v1/partner/customers').send({ companyName: `${code} own`, country: 'DE' });
  const target = await admin.post('/api/v1/partner/customers').send({ companyName: `${code} target`, country: 'FR' });
  const account = await admin
    .post(`/api/v1/partner/customers/${target.body.id}/accounts`)
    .send({ email: `victim@${code}.example.com`, firstName: 'Vic', lastName: 'Tim', role: 'full_access' });
  const license = await admin
    .post(`/api/v1/partner/customers/${target.body.id}/licenses`)
    .send({ product: 'Suite', seats: 5, startsAt: '2026-01-01', expiresAt: '2036-01-01' });
  const reset = await admin.post(
    `/api/v1/partner/customers/${target.body.id}/accounts/${account.body.id}/password-reset`,
  );
  const coworker = await insertUser(app, own.body.id, `coworker@${code}.example.com`, 'read_only');
  const fullEmail = `full@${code}.example.com`;
  const readEmail = `reader@${code}.example.com`;
  await insertUser(app, own.body.id, fullEmail, 'full_access');
  await insertUser(app, own.body.id, readEmail, 'read_only');
  const supportEmail = `support@${code}.example.com`;
  const support = await supportUser(app, partnerId, supportEmail);
  const platformEmail = `ops@${code}.example.com`;
  await app.get(ProvisioningService).createPlatformAdmin({ email: platformEmail, password: ADMIN_PASSWORD });
  const other = await partnerWithAdmin(app, `${code}x`);
  const foreign = await other.agent
    .post('/api/v1/partner/customers')
    .send({ companyName: `${code} foreign`, country: 'GB' });
  const ids = [target.body.id, account.body.id, license.body.id, reset.body.requestId, coworker.id, foreign.body.id];
  if (ids.some((id) => typeof id !== 'string')) throw new Error(`fuzz world incomplete: ${JSON.stringify(ids)}`);
  return {
    actors: {
      partner_admin: { email: adminEmail, password: ADMIN_PASSWORD, agent: admin },
      partner_support: { email: supportEmail, password: ADMIN_PASSWORD, agent: support },
      full_access: { email: fullEmail, password: USER_PASSWORD, agent: await signIn(app, fullEmail, USER_PASSWORD) },
      read_only: { email: readEmail, password: USER_PASSWORD, agent: await signIn(app, readEmail, USER_PASSWORD) },
      platform_admin: {
        email: platformEmail,
        password: ADMIN_PASSWORD,
        agent: await signIn(app, platformEmail, ADMIN_PASSWORD),
      },
    },
    ids,
    emails: [`victim@${code}.example.com`, `coworker@${code}.example.com`, other.adminEmail],
  };
}

// ---------------------------------------------------------------------------------------------
// Hostile values.

const BIDI = [
  '\u202a',
  '\u202b',
  '\u202c',
  '\u202d',
  '\u202e',
  '\u2066',
  '\u2067',
  '\u2068',
  '\u2069',
  '\u200e',
  '\u200f',
];
const CONTROLS = [
  '\u0000',
  '\u0001',
  '\u0007',
  '\u0008',
  '\t',
  '\n',
  '\r',
  '\u001b',
  '\u007f',
  '\u0085',
  '\u009b',
  ...BIDI,
];
const SURROGATES = ['\ud800', '\udbff', '\udc00', '\udfff', '\ud83d'];
const PROTO_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '__defineGetter__',
];
const ODD_CHARS = [...CONTROLS, ...SURROGATES, '\ufeff', '\uffff', '\u{1f4a9}', 'é', '%', '"', "'", '\\', '<', '{{'];

const IMPOSSIBLE_DATES = [
  '2027-02-30',
  '2026-13-01',
  '0000-00-00',
  '2026-00-10T00:00:00Z',
  '2026-01-01T25:61:61Z',
  '9999-12-31T23:59:59.999Z',
  '+275760-09-13T00:00:01Z',
  '-271821-04-19T00:00:00Z',
  '1969-12-31T23:59:59Z',
  '2026-01-01T00:00:00+99:99',
  '2026-06-01',
];

const JUNK_STRINGS = [
  '',
  ' ',
  'null',
  'undefined',
  'NaN',
  'Infinity',
  '-0',
  '1e309',
  '0x10',
  "' OR '1'='1",
  '"; DROP TABLE users; --',
  '<script>alert(1)</script>',
  '{{constructor.constructor "alert(1)"}}',
  '../../etc/passwd',
  '%',
  '%E0%A4%A',
  '%ED%A0%80',
  '%00',
  'a@b',
  '@',
  'a@',
  '@example.com',
  'user@[127.0.0.1]',
  '"quoted local"@example.com',
  'user@localhost',
  'user@xn--80ak6aa92e.com',
  ...PROTO_KEYS,
  ...IMPOSSIBLE_DATES,
];

/** Plausible values per field name, so validation passes sometimes and the service sees them. */
/** A string of `min` to `max` characters from `chars` (fc.stringMatching is far slower). */
const stringOf = (chars: string, min: number, max: number) =>
  fc.string({ unit: fc.constantFrom(...chars), minLength: min, maxLength: max });
const LOWER_DIGITS = 'abcdefghijklmnopqrstuvwxyz0123456789';

function plausible(field: string, world: () => FuzzWorld): fc.Arbitrary<unknown> {
  const id = fc.nat().map((i) => world().ids[i % world().ids.length]);
  const email = fc.oneof(
    fc.nat().map((i) => world().emails[i % world().emails.length]),
    stringOf(`${LOWER_DIGITS}.+_-`, 1, 20).map((s) => `${s}@fuzz.example.com`),
  );
  switch (field) {
    case 'email':
    case 'newEmail':
      return email;
    case 'password':
    case 'newPassword':
    case 'confirmPassword':
    case 'currentPassword':
      return fc.constantFrom('long enough passphrase', USER_PASSWORD, ADMIN_PASSWORD, 'short');
    case 'role':
      return fc.constantFrom('full_access', 'read_only', 'partner_admin', 'platform_admin', 'owner');
    case 'status':
      return fc.constantFrom('active', 'suspended', 'disabled', 'invited', 'deleted');
    case 'country':
      return fc.constantFrom('GB', 'de', 'XX', 'GBR');
    case 'userType':
      return fc.constantFrom('personal', 'company');
    case 'seats':
      return fc.oneof(fc.integer({ min: -5, max: 2_000_000 }), fc.double());
    case 'startsAt':
    case 'expiresAt':
      return fc.oneof(
        fc.constantFrom(...IMPOSSIBLE_DATES),
        fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      );
    case 'token':
      return fc.oneof(stringOf(`${LOWER_DIGITS}ABCDEFGHIJKLMNOPQRSTUVWXYZ_-`, 43, 43), fc.constant('A'.repeat(100)));
    case 'code':
      return stringOf('0123456789', 6, 6);
    case 'recoveryCode':
      return fc.tuple(stringOf(LOWER_DIGITS, 4, 5), stringOf(LOWER_DIGITS, 4, 5)).map(([a, b]) => `${a}-${b}`);
    case 'methodId':
    case 'customerId':
      return id;
    case 'phone':
      return fc.constantFrom('+447700900123', '+15555550100', '+1', '07700 900123');
    case 'location':
      return fc.record({ country: fc.constantFrom('GB', 'US'), city: fc.string({ maxLength: 10 }) });
    case 'page':
    case 'pageSize':
      return fc.integer({ min: -1, max: 10_001 });
    case 'sort':
      return fc.constantFrom('companyName', '-createdAt', 'country', '-', 'password');
    case 'newsletter':
    case 'promotions':
    case 'requireStaffMfa':
      return fc.boolean();
    default:
      return fc.string({ minLength: 1, maxLength: 20 });
  }
}

/** A string with one odd character (control, lone surrogate, bidi, prototype key...) inserted. */
const withOddChar = (base: fc.Arbitrary<unknown>) =>
  fc.tuple(base, fc.constantFrom(...ODD_CHARS), fc.nat()).map(([b, c, at]) => {
    const s = typeof b === 'string' ? b : toJsonText(b);
    const i = at % (s.length + 1);
    return s.slice(0, i) + c + s.slice(i);
  });

/** A value nested `depth` levels deep, in arrays or objects; written out by toJsonText. */
class Deep {
  constructor(
    readonly depth: number,
    readonly inObjects: boolean,
    readonly key: string,
  ) {}
  toJSON(): string {
    return `(nested ${this.depth} levels)`;
  }
}

/**
 * JSON text of a generated value. Deep values are written as text: JSON.stringify would need a
 * stack as deep as the value.
 */
export function toJsonText(v: unknown): string {
  if (v instanceof Deep) {
    const open = v.inObjects ? `{${JSON.stringify(v.key)}:` : '[';
    return open.repeat(v.depth) + '1' + (v.inObjects ? '}' : ']').repeat(v.depth);
  }
  if (Array.isArray(v)) return `[${v.map(toJsonText).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v)
      .map((k) => `${JSON.stringify(k)}:${toJsonText((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

const scalar: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.constantFrom(0, -1, 1.5, -0, 2 ** 53 + 1, 1e308, -1e308, 4294967296),
  fc.integer(),
  fc.constantFrom(...JUNK_STRINGS),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({ unit: fc.constantFrom(...ODD_CHARS), maxLength: 8 }),
);

const huge = fc.constantFrom(300, 5_000, 70_000, 120_000).map((n) => 'x'.repeat(n));

const keyArb = fc.oneof(fc.constantFrom(...PROTO_KEYS), fc.string({ maxLength: 8 }));

const { anyValue } = fc.letrec<{ anyValue: unknown; array: unknown[]; object: Record<string, unknown> }>((tie) => ({
  anyValue: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    tie('array'),
    tie('object'),
    fc.tuple(fc.integer({ min: 20, max: 6_000 }), fc.boolean(), keyArb).map(([d, o, k]) => new Deep(d, o, k)),
    huge,
  ),
  array: fc.array(tie('anyValue'), { maxLength: 4 }),
  object: fc.dictionary(keyArb, tie('anyValue'), { maxKeys: 4 }),
}));

/** A value that should be refused (or survive) for this field: null, a wrong type, an odd character. */
function hostileValue(field: string, world: () => FuzzWorld): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant(null) },
    { weight: 3, arbitrary: withOddChar(plausible(field, world)) },
    { weight: 2, arbitrary: scalar },
    { weight: 2, arbitrary: anyValue },
  );
}

/** An object with `entries` as own keys; defineProperty, since `o.__proto__ = v` sets the prototype. */
function objectOf(entries: ReadonlyArray<readonly [string, unknown]>): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, v] of entries)
    Object.defineProperty(o, k, { value: v, enumerable: true, configurable: true, writable: true });
  return o;
}

/**
 * A body as the text sent. Mostly the DTO's fields: all plausible but one hostile (what gets past
 * validation to the service), any mix of plausible and hostile, or all plausible; sometimes an
 * extra or prototype key; sometimes raw junk that is not an object at all.
 */
function bodyArb(fields: string[], world: () => FuzzWorld): fc.Arbitrary<string> {
  const plausibleAll = fc.tuple(...fields.map((f) => plausible(f, world)));
  const oneBad = fields.length
    ? fc
        .tuple(plausibleAll, fc.oneof(...fields.map((f, i) => fc.tuple(fc.constant(i), hostileValue(f, world)))))
        .map(([values, [bad, value]]) => fields.map((f, i) => [f, i === bad ? value : values[i]] as const))
    : fc.constant([]);
  const mixed = fc
    .tuple(
      ...fields.map((f) =>
        fc.option(
          fc.oneof(plausible(f, world), hostileValue(f, world)).map((v) => [f, v] as const),
          { freq: 3 },
        ),
      ),
    )
    .map((es) => es.filter((e) => e !== null));
  const valid = plausibleAll.map((values) => fields.map((f, i) => [f, values[i]] as const));
  const extras = fc.oneof(
    { weight: 4, arbitrary: fc.constant([]) },
    { weight: 1, arbitrary: fc.array(fc.tuple(keyArb, anyValue), { minLength: 1, maxLength: 2 }) },
  );
  const object = fc
    .tuple(
      fc.oneof({ weight: 3, arbitrary: oneBad }, { weight: 2, arbitrary: mixed }, { weight: 1, arbitrary: valid }),
      extras,
    )
    .map(([fs, ex]) => objectOf([...fs, ...ex]));
  const raw = fc.oneof(
    fc.constantFrom(
      '',
      'null',
      '[]',
      '"text"',
      '42',
      'true',
      '{',
      '{"a":',
      '\ufeff{}',
      '{"a":1,"a":2}',
      '{"__proto__":{"isAdmin":true}}',
    ),
    fc.integer({ min: 100, max: 20_000 }).map((n) => '['.repeat(n) + ']'.repeat(n)),
    fc.integer({ min: 100, max: 20_000 }).map((n) => '{"a":'.repeat(n) + '1' + '}'.repeat(n)),
    anyValue.map(toJsonText),
  );
  return fc.oneof({ weight: 6, arbitrary: object.map(toJsonText) }, { weight: 1, arbitrary: raw });
}

/** Percent-encodes any string, lone surrogates included (as the bytes of their CESU-8 form). */
export function percentEncode(s: string): string {
  let out = '';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (code >= 0xd800 && code <= 0xdfff) {
      out += [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]
        .map((b) => '%' + b.toString(16).toUpperCase())
        .join('');
    } else out += encodeURIComponent(ch);
  }
  return out;
}

type ParamValue = { id: number } | { raw: string };

const paramArb: fc.Arbitrary<ParamValue> = fc.oneof(
  { weight: 5, arbitrary: fc.nat().map((id) => ({ id })) },
  {
    weight: 3,
    arbitrary: fc
      .oneof(
        fc.constantFrom(
          '00000000-0000-4000-8000-000000000000',
          'FFFFFFFF-FFFF-4FFF-BFFF-FFFFFFFFFFFF',
          'not-an-id',
          '%E0%A4%A',
          '%ED%A0%80',
          '%00',
          '%',
          '..',
          '%2e%2e%2f',
          'a'.repeat(3000),
          ...PROTO_KEYS,
        ),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }).map(percentEncode),
        fc.uuid().map((u) => u),
      )
      .map((raw) => ({ raw })),
  },
);

/** A query string: the DTO's parameters with plausible or hostile values, unknown and odd keys, bad escapes. */
function queryArb(fields: string[], world: () => FuzzWorld): fc.Arbitrary<string> {
  const known = (fields.length ? fields : ['q']).map((f) =>
    fc.tuple(fc.constant(f), fc.oneof(plausible(f, world), plausible(f, world), hostileValue(f, world))),
  );
  const odd = fc.tuple(fc.oneof(keyArb, fc.constantFrom('a[b]', 'a[]', '__proto__[x]')), scalar);
  const pair = fc.oneof({ weight: 4, arbitrary: fc.oneof(...known) }, { weight: 1, arbitrary: odd });
  const escape = fc.constantFrom('%', '%zz', '%E0%A4%A', '%ED%A0%80');
  return fc.tuple(fc.array(pair, { maxLength: 4 }), fc.option(escape, { freq: 6 })).map(([pairs, rawEscape]) => {
    const parts = pairs.map(([k, v]) => {
      const text = typeof v === 'string' ? v : toJsonText(v);
      return `${percentEncode(k)}=${percentEncode(text.slice(0, 2000))}`;
    });
    if (rawEscape) parts.push(`q=${rawEscape}`);
    return parts.join('&');
  });
}

export interface FuzzRequest {
  route: FuzzRoute;
  role: FuzzRole;
  params: ParamValue[];
  query: string;
  body: string | null;
  contentType: string;
}

/** One request arbitrary per route. */
export function routeArbs(routes: FuzzRoute[], world: () => FuzzWorld): fc.Arbitrary<FuzzRequest>[] {
  const known = ROLES as readonly string[];
  const contentType = fc.oneof(
    { weight: 12, arbitrary: fc.constant('application/json') },
    {
      weight: 1,
      arbitrary: fc.constantFrom('application/json; charset=utf-16', 'text/plain', 'application/merge-patch+json'),
    },
  );
  // One arbitrary per route, built once: building them per request cost more than the requests.
  return routes.map((route) => {
    const admitted = route.roles.filter((r) => known.includes(r)) as FuzzRole[];
    return fc.record({
      route: fc.constant(route),
      role: admitted.length
        ? fc.oneof(
            { weight: 2, arbitrary: fc.constantFrom(...admitted) },
            { weight: 1, arbitrary: fc.constantFrom(...ROLES) },
          )
        : fc.constantFrom(...ROLES),
      params: fc.array(paramArb, { minLength: route.params.length, maxLength: route.params.length }),
      query: route.queryFields.length || route.method === 'GET' ? queryArb(route.queryFields, world) : fc.constant(''),
      body:
        route.method === 'GET'
          ? fc.constant(null)
          : fc.option(bodyArb(route.bodyFields ?? [], world), { freq: route.bodyFields ? 12 : 2 }),
      contentType,
    });
  });
}

/** The URL of a request, path parameters filled against the current world. */
export function urlOf(req: FuzzRequest, world: FuzzWorld): string {
  let i = 0;
  const path = req.route.path.replace(/:(\w+)/g, () => {
    const p = req.params[i++];
    return 'id' in p ? world.ids[p.id % world.ids.length] : p.raw;
  });
  return req.query ? `${path}?${req.query}` : path;
}

/** One line describing a request, with long bodies cut, for failure messages. */
export function describeRequest(req: FuzzRequest, world: FuzzWorld): string {
  const body =
    req.body === null
      ? '(no body)'
      : req.body.length > 300
        ? `${req.body.slice(0, 300)}… (${req.body.length} chars)`
        : req.body;
  return `${req.role} ${req.route.method} ${urlOf(req, world).slice(0, 300)} [${req.contentType}] ${body}`;
}

// ---------------------------------------------------------------------------------------------
// Running.

export interface FuzzReport {
  sent: number;
  byStatus: Record<number, number>;
  serverErrors: string[];
  reSignIns: number;
  rebuilds: number;
  /** Requests per route, as `METHOD path`. */
  byRoute: Record<string, number>;
}

/**
 * Sends requests and keeps the actors signed in: after a change (a 2xx to POST/PUT/PATCH/DELETE)
 * or a 401, each actor's session is checked; a lost one signs in again, and if that fails
 * (a policy or role the fuzzed request changed) the world is built anew.
 */
export class FuzzSession {
  readonly report: FuzzReport = {
    sent: 0,
    byStatus: {},
    serverErrors: [],
    reSignIns: 0,
    rebuilds: 0,
    byRoute: {},
  };

  private constructor(
    private readonly app: INestApplication,
    public world: FuzzWorld,
  ) {}

  static async start(app: INestApplication): Promise<FuzzSession> {
    return new FuzzSession(app, await buildWorld(app));
  }

  /** Sends one request; returns its status. */
  async send(req: FuzzRequest): Promise<number> {
    const url = urlOf(req, this.world);
    const actor = req.role === 'anonymous' ? undefined : this.world.actors[req.role];
    const client = actor ? actor.agent : request(this.app.getHttpServer());
    const method = req.route.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
    let test = client[method](url);
    if (req.body !== null) test = test.set('Content-Type', req.contentType).send(req.body);
    const res = await test.ok(() => true);
    this.report.sent++;
    const route = `${req.route.method} ${req.route.path}`;
    this.report.byRoute[route] = (this.report.byRoute[route] ?? 0) + 1;
    this.report.byStatus[res.status] = (this.report.byStatus[res.status] ?? 0) + 1;
    if (res.status >= 500) this.report.serverErrors.push(`${res.status} ${describeRequest(req, this.world)}`);
    const changed = res.status < 300 && req.route.method !== 'GET';
    if (actor && (changed || res.status === 401)) await this.keepSignedIn();
    else if (!actor && changed) await this.keepSignedIn();
    return res.status;
  }

  private async healthy(actor: Actor): Promise<boolean> {
    const res = await actor.agent.get('/api/v1/auth/session');
    return res.status === 200 && !res.body.mfaSetupRequired;
  }

  private async keepSignedIn(): Promise<void> {
    for (const role of ROLES) {
      const actor = this.world.actors[role];
      if (!actor || (await this.healthy(actor))) continue;
      try {
        actor.agent = await signIn(this.app, actor.email, actor.password);
        this.report.reSignIns++;
        if (await this.healthy(actor)) continue;
      } catch {
        // the account itself changed (disabled, locked, role): start over below
      }
      await this.rebuild();
      return;
    }
  }

  private async rebuild(): Promise<void> {
    this.report.rebuilds++;
    // A partner whose 2FA policy a fuzzed request turned on is left as it is; the new world has its own.
    this.world = await buildWorld(this.app);
  }
}

export interface FuzzRunOptions {
  requests: number;
  seed: number;
  routes?: FuzzRoute[];
  /** Stop at the first 5xx (the test); otherwise count them all (npm run fuzz). */
  stopAtFirst?: boolean;
}

/**
 * Sends `requests` generated requests from `seed`: first one to every route (so a short run
 * reaches them all), then fast-check's choice of route and input. The same seed and routes give
 * the same requests. No shrinking: the server keeps state, so a smaller request is not the same
 * test. Returns a description of the first 5xx with `stopAtFirst`, else null.
 */
export async function fuzz(
  app: INestApplication,
  session: FuzzSession,
  { requests, seed, routes = jsonRoutes(app), stopAtFirst = true }: FuzzRunOptions,
): Promise<string | null> {
  const arbs = routeArbs(routes, () => session.world);
  const sweep = Math.min(requests, arbs.length);
  for (let i = 0; i < sweep; i++) {
    const [req] = fc.sample(arbs[i], { numRuns: 1, seed: seed + i });
    const status = await session.send(req);
    if (status >= 500 && stopAtFirst) return `answered ${status}: ${describeRequest(req, session.world)}`;
  }
  if (requests === sweep) return null;
  const details = await fc.check(
    fc.asyncProperty(fc.oneof(...arbs), async (req) => {
      const status = await session.send(req);
      if (status >= 500 && stopAtFirst) throw new Error(`answered ${status}: ${describeRequest(req, session.world)}`);
    }),
    { numRuns: requests - sweep, seed, endOnFailure: true, timeout: 30_000 },
  );
  if (!details.failed) return null;
  const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  return `${cause} (request ${sweep + details.numRuns} of the run)`;
}
