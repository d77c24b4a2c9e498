import { z } from 'zod';
import type { RawEntry, Registration } from '@/lib/model/registration';
import type { RegistryFormat } from './format';
import { joinHostPort, metadataOf, readJsonObject, weightOf } from './util';

const AppKey = /^\/services\/([^/]+)\/([^/]+)$/;

/** dubbo-go's DefaultServiceInstance, marshalled without JSON tags (hence the capitals). */
const AppValue = z.object({
  ServiceName: z.string(),
  Host: z.string(),
  Port: z.number().int(),
  Weight: z.number().nullish(),
  Enable: z.boolean().nullish(),
  Healthy: z.boolean().nullish(),
  Metadata: z.unknown().optional(),
});

/** dubbo-go application-level registration; shares `/services/` with native, told apart by the value. */
function decodeDubboApp(entry: RawEntry): Registration[] | null {
  const key = AppKey.exec(entry.key);
  if (!key?.[1] || !key[2]) return null;
  const value = readJsonObject(entry.value, AppValue);
  const address = value && joinHostPort(value.Host, value.Port);
  if (!value || !address) return null;
  // Dubbo's own consumers skip instances that are disabled or unhealthy.
  const offline = value.Enable === false || value.Healthy === false;
  return [
    {
      service: key[1],
      id: key[2],
      address,
      format: 'dubbo-app',
      weight: weightOf(value.Weight),
      metadata: metadataOf(value.Metadata),
      ...(offline && { offline }),
    },
  ];
}

export const dubboApp: RegistryFormat = {
  id: 'dubbo-app',
  framework: 'dubbo-go, application level',
  key: '`/services/<app>/<host:port>`',
  value: '`{"ID","ServiceName","Host","Port","Weight","Enable","Healthy","Metadata",…}` + `\\n`; `Enable`/`Healthy` false = offline',
  naming: 'service = the app segment; id = the `host:port` segment',
  decode: decodeDubboApp,
  demo: {
    prefix: (service) => `/services/${service}/`,
    carriesMetadata: true,
    write: ({ service, address, zone, metadata }) => {
      const [host = '127.0.0.1', port = '0'] = address.split(':');
      // Field order of DefaultServiceInstance; json.Encoder ends the value with a newline.
      const value = {
        ID: address,
        ServiceName: service,
        Host: host,
        Port: Number(port),
        Weight: 100,
        Enable: true,
        Healthy: true,
        Metadata: { zone, ...metadata },
        ServiceMetadata: null,
        Address: '',
        GroupName: '',
        Tag: '',
      };
      return { key: `/services/${service}/${address}`, value: `${JSON.stringify(value)}\n` };
    },
  },
};
