// What a client needs to reach KVS Local with no configuration. Kept apart from the server so the
// extension and the CLIs can use it without bundling the service.

/**
 * The credentials KVS Local accepts unless told otherwise. They are public (they are in this
 * source), so they protect nothing: that is why KVS Local refuses to listen on anything but a
 * loopback address while they are in use. (Not frozen: the AWS SDK annotates the credential objects
 * it is given.)
 */
export const DEFAULT_LOCAL_CREDENTIALS: { readonly accessKeyId: string; readonly secretAccessKey: string } = {
  accessKeyId: 'AKIDKVSLOCAL00000000',
  secretAccessKey: 'kvs-local/not-a-secret/0000000000000000',
};

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_LOCAL_PORT = 4587;
export const DEFAULT_LOCAL_REGION = 'us-east-1';
