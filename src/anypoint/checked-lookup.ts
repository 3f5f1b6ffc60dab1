import { promises as dns, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import type { DownloadPolicy } from './download-policy.js';

/** Resolves a host name to every address it has (A and AAAA), in the resolver's order. */
export type ResolveHost = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolveHost: ResolveHost = (hostname) => dns.lookup(hostname, { all: true, verbatim: true });

/**
 * A `lookup` for net.connect/tls.connect (undici's `connect.lookup`) that resolves the host,
 * checks every address with the policy, and hands the socket exactly the addresses it checked.
 * Resolving once and connecting to that answer is what defeats DNS rebinding: a second, later
 * resolution that turned private would never be connected to. A refusal fails the connect
 * before any socket is opened.
 */
export function checkedLookup(policy: DownloadPolicy, resolve: ResolveHost = systemResolveHost): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (addresses) => {
        try {
          policy.checkResolved(hostname, addresses.map((a) => a.address));
        } catch (refusal) {
          callback(refusal as NodeJS.ErrnoException, '', 0);
          return;
        }
        const family = options.family === 4 || options.family === 6 ? options.family : 0;
        const usable = family ? addresses.filter((a) => a.family === family) : addresses;
        if (usable.length === 0) {
          callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
        } else if (options.all) {
          callback(null, usable);
        } else {
          callback(null, usable[0]!.address, usable[0]!.family);
        }
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    );
  };
}
