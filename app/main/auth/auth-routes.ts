import type http from 'node:http';
import { readJsonObject, sendHttpError, sendJson } from '../office/json-route.ts';
import { secretsEqual } from '../security/secrets.ts';
import { AuthHttpError, type AuthService, type LoginAnswer } from './auth-service.ts';

export interface AuthRouteOptions {
  auth: AuthService;
  controlKey: string;
  isLoopback(address: string | undefined): boolean;
  /** Whether the API is served over TLS (the refresh cookie is then `Secure`). */
  tls: boolean;
}

export const REFRESH_COOKIE = 'ys_refresh';
const readBody = (req: http.IncomingMessage) => readJsonObject(req);

function cookie(req: http.IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return undefined;
}

const send = sendJson;

/** Handles /auth/*; false when the path is not one of them. */
export async function handleAuthRoute(req: http.IncomingMessage, res: http.ServerResponse, pathname: string, options: AuthRouteOptions): Promise<boolean> {
  if (!pathname.startsWith('/auth/')) return false;
  const { auth } = options;
  const address = req.socket.remoteAddress ?? 'unknown';
  const secure = options.tls ? '; Secure' : '';
  const setCookie = (token: string) => `${REFRESH_COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/auth; Max-Age=${30 * 86400}${secure}`;
  const clearCookie = `${REFRESH_COOKIE}=; HttpOnly; SameSite=Strict; Path=/auth; Max-Age=0${secure}`;
  const signedIn = (answer: LoginAnswer) => send(res, 200, answer, { 'set-cookie': setCookie(answer.refresh_token) });
  const method = req.method ?? 'GET';
  const route = `${method} ${pathname.replace(/\/\d+$/, '/:id')}`;
  const id = Number(/\/(\d+)$/.exec(pathname)?.[1]);
  try {
    switch (route) {
      case 'GET /auth/status':
        send(res, 200, await auth.status());
        return true;
      case 'POST /auth/setup': {
        if (!options.isLoopback(req.socket.remoteAddress)) throw new AuthHttpError(403, 'access-denied', 'the owner account is created on the office PC itself');
        const body = await readBody(req);
        signedIn(await auth.setup(body.name, body.password, address));
        return true;
      }
      case 'POST /auth/login': {
        const body = await readBody(req);
        signedIn(await auth.login(body.name, body.password, address));
        return true;
      }
      case 'POST /auth/refresh': {
        const body = await readBody(req);
        const token = typeof body.refresh_token === 'string' ? body.refresh_token : cookie(req, REFRESH_COOKIE);
        try {
          signedIn(await auth.refresh(token, address));
        } catch (err) {
          if (sendHttpError(res, err, { 'set-cookie': clearCookie })) return true;
          throw err;
        }
        return true;
      }
      case 'POST /auth/logout': {
        const body = await readBody(req);
        const token = typeof body.refresh_token === 'string' ? body.refresh_token : cookie(req, REFRESH_COOKIE);
        await auth.logout(token, body.everywhere === true, req.headers, address);
        res.writeHead(204, { 'set-cookie': clearCookie, 'cache-control': 'no-store' }).end();
        return true;
      }
      case 'POST /auth/local-token': {
        const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
        if (!options.isLoopback(req.socket.remoteAddress) || !bearer || !secretsEqual(bearer, options.controlKey)) {
          throw new AuthHttpError(401, 'access-denied', 'the local token is for the office PC, with the control key');
        }
        await readBody(req);
        signedIn(await auth.localToken(address));
        return true;
      }
      case 'PUT /auth/remote-access': {
        const actor = await auth.requireOwner(req.headers);
        send(res, 200, await auth.setRemoteAccess((await readBody(req)).enabled, actor, address));
        return true;
      }
      case 'GET /auth/users':
        await auth.requireOwner(req.headers);
        send(res, 200, { users: await auth.listUsers() });
        return true;
      case 'POST /auth/users': {
        const actor = await auth.requireOwner(req.headers);
        send(res, 201, { user: await auth.addUser(await readBody(req), actor.name, address) });
        return true;
      }
      case 'PATCH /auth/users/:id': {
        const actor = await auth.requireOwner(req.headers);
        send(res, 200, { user: await auth.updateUser(id, await readBody(req), actor, address) });
        return true;
      }
      case 'GET /auth/audit': {
        await auth.requireOwner(req.headers);
        const limit = Number(new URL(req.url ?? '/', 'http://office').searchParams.get('limit') ?? 100);
        send(res, 200, { events: await auth.listAudit(limit) });
        return true;
      }
      case 'GET /auth/api-tokens':
        await auth.requireOwner(req.headers);
        send(res, 200, { tokens: await auth.listApiTokens() });
        return true;
      case 'POST /auth/api-tokens': {
        const actor = await auth.requireOwner(req.headers);
        send(res, 201, { token: await auth.createApiToken(await readBody(req), actor, address) });
        return true;
      }
      case 'DELETE /auth/api-tokens/:id': {
        const actor = await auth.requireOwner(req.headers);
        await auth.revokeApiToken(id, actor, address);
        res.writeHead(204, { 'cache-control': 'no-store' }).end();
        return true;
      }
      default:
        send(res, 404, { error: `no route ${method} ${pathname}`, code: 'not-found' });
        return true;
    }
  } catch (err) {
    if (sendHttpError(res, err)) return true;
    throw err;
  }
}
