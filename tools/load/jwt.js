// HS256 tokens signed inside k6, exactly as the API verifies them (see platform/src/api/auth.ts):
// the crowd gets its tokens without calling dev login, which would otherwise be the
// bottleneck of the test instead of the purchase path.
import crypto from 'k6/crypto';
import encoding from 'k6/encoding';

const header = encoding.b64encode(JSON.stringify({ alg: 'HS256', typ: 'JWT' }), 'rawurl');

export function requireSecret() {
  const secret = __ENV.AUTH_JWT_SECRET;
  if (!secret || secret.length < 32) {
    throw new Error(
      'AUTH_JWT_SECRET is not set (or shorter than 32 characters): pass the API signing key with ' +
        '-e AUTH_JWT_SECRET=... (locally: $(cat .flashsale/auth-jwt-secret))',
    );
  }
  return secret;
}

/** A token for `userId`, valid for an hour. */
export function signToken(secret, userId) {
  const now = Math.floor(Date.now() / 1000);
  const payload = encoding.b64encode(
    JSON.stringify({ sub: userId, iat: now, exp: now + 3600 }),
    'rawurl',
  );
  const unsigned = `${header}.${payload}`;
  return `${unsigned}.${crypto.hmac('sha256', secret, unsigned, 'base64rawurl')}`;
}

/** Base URLs of the API processes, from API_URLS (comma-separated), without trailing slash. */
export function apiUrls() {
  const urls = (__ENV.API_URLS || '')
    .split(',')
    .map((url) => url.trim().replace(/\/+$/, ''))
    .filter((url) => url !== '');
  if (urls.length === 0) {
    throw new Error(
      'API_URLS is not set: pass -e API_URLS=http://127.0.0.1:18080,http://127.0.0.1:18081 ' +
        '(start the local platform with `npx flashsale start`)',
    );
  }
  return urls;
}

export function requireSale() {
  const sale = __ENV.SALE;
  if (!sale) throw new Error('SALE is not set: pass -e SALE=<sale name> of an active sale');
  return sale;
}
