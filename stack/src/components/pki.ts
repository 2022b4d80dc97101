import { access, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runOrThrow } from '../exec.ts';
import { statePath } from '../paths.ts';
import { privateDir } from '../private-dir.ts';

/**
 * Certificates of the local control plane, made once with openssl: a CA, the
 * kube-apiserver's serving certificate, an admin client certificate in system:masters
 * (what the kubeconfig uses), and the key pair that signs service-account tokens.
 */
export const pkiDir = (): string => statePath('pki');
export const pkiFile = (name: string): string => join(pkiDir(), name);

const days = '3650';
/** Names the serving certificate answers to: loopback and the in-cluster service names. */
export const apiserverSubjectAltNames =
  'subjectAltName=IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc';

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

async function openssl(args: readonly string[]): Promise<void> {
  await runOrThrow('openssl', args, { logFile: statePath('logs', 'pki.log') });
}

/** A certificate and its key; signed by the local CA unless it is the CA itself. */
async function certificate(
  name: string,
  subject: string,
  extensions: readonly string[] = [],
): Promise<void> {
  const issuer = name === 'ca' ? [] : ['-CA', pkiFile('ca.crt'), '-CAkey', pkiFile('ca.key')];
  const keyAndCert = ['-keyout', pkiFile(`${name}.key`), '-out', pkiFile(`${name}.crt`)];
  await openssl([
    ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', days],
    ...keyAndCert,
    ...['-subj', subject],
    ...issuer,
    ...extensions.flatMap((extension) => ['-addext', extension]),
  ]);
}

export async function ensurePki(): Promise<void> {
  if (await exists(pkiFile('sa.pub'))) return;
  await privateDir(pkiDir());
  await certificate('ca', '/CN=flashsale-local-ca');
  await certificate('apiserver', '/CN=kube-apiserver', [
    apiserverSubjectAltNames,
    'extendedKeyUsage=serverAuth',
  ]);
  await certificate('admin', '/O=system:masters/CN=flashsale-admin', [
    'extendedKeyUsage=clientAuth',
  ]);
  await openssl(['genrsa', '-out', pkiFile('sa.key'), '2048']);
  // sa.pub is written last: its presence means the whole set is complete.
  await openssl(['rsa', '-in', pkiFile('sa.key'), '-pubout', '-out', pkiFile('sa.pub')]);
}

/**
 * A certificate signed by the local CA, made once (the CA and its set must exist): the node
 * components' client identities and the kubelet's serving certificate.
 */
export async function ensureSignedCertificate(
  name: string,
  subject: string,
  extensions: readonly string[],
): Promise<void> {
  await ensurePki();
  if (await exists(pkiFile(`${name}.crt`))) return;
  await certificate(name, subject, extensions);
}

const base64 = async (file: string): Promise<string> => (await readFile(file)).toString('base64');

export async function writeKubeconfig(
  path: string,
  server: string,
  certificateName = 'admin',
): Promise<void> {
  const kubeconfig = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'flashsale-local',
        cluster: { server, 'certificate-authority-data': await base64(pkiFile('ca.crt')) },
      },
    ],
    users: [
      {
        name: 'flashsale-admin',
        user: {
          'client-certificate-data': await base64(pkiFile(`${certificateName}.crt`)),
          'client-key-data': await base64(pkiFile(`${certificateName}.key`)),
        },
      },
    ],
    contexts: [
      { name: 'flashsale-local', context: { cluster: 'flashsale-local', user: 'flashsale-admin' } },
    ],
    'current-context': 'flashsale-local',
  };
  // JSON is valid YAML, which is what kubectl and client libraries read.
  await writeFile(path, `${JSON.stringify(kubeconfig, null, 2)}\n`, { mode: 0o600 });
}
