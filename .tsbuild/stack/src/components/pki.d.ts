/**
 * Certificates of the local control plane, made once with openssl: a CA, the
 * kube-apiserver's serving certificate, an admin client certificate in system:masters
 * (what the kubeconfig uses), and the key pair that signs service-account tokens.
 */
export declare const pkiDir: () => string;
export declare const pkiFile: (name: string) => string;
/** Names the serving certificate answers to: loopback and the in-cluster service names. */
export declare const apiserverSubjectAltNames = "subjectAltName=IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc";
export declare function ensurePki(): Promise<void>;
export declare function writeKubeconfig(path: string, server: string): Promise<void>;
