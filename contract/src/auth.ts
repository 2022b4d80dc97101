/** `POST /api/auth/dev-login` (local mode only): the body and the answer. */
export interface DevLoginRequestBody {
  readonly userId: string;
}

export interface DevLoginResponse {
  readonly token: string;
}
