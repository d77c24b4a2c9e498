import type { Format } from '@/lib/model/instance';
import type { RawEntry, Registration } from '@/lib/model/registration';

/** What every decoder may know besides the entry itself. */
export interface DecodeOptions {
  /**
   * The operator named the prefixes to watch (SWITCHYARD_PREFIXES): an unleased key there whose
   * value is an address is a registration, not configuration (see README "Naming and leases").
   */
  trustUnleased?: boolean;
}

/**
 * A format's decoder: the entry's registrations, or null when the entry is not in that format. An
 * empty array means "known, not an instance": a key the framework writes beside its registrations
 * (a directory marker, a metrics endpoint), recognised so Diagnostics does not list it as unrecognised.
 */
export type Decoder = (entry: RawEntry, options?: DecodeOptions) => Registration[] | null;

/** One instance of the demo fleet, as each format's writer registers it. */
export interface DemoInstance {
  service: string;
  id: string;
  /** host:port the instance really listens on. */
  address: string;
  version: string;
  zone: string;
  /** Only Switchyard's native format can declare dependencies; the other frameworks have no field for them. */
  dependsOn: string[];
  /** Written where the framework's value has a free-form map (tags, metadata, URL parameters). */
  metadata: Record<string, string>;
}

/** How the demo fleet writes a registration the way the framework's own code does. */
export interface DemoWriter {
  /** The etcd prefix under which every registration of `service` lives (what a resolver watches). */
  prefix(service: string): string;
  /** The key and value, byte-shaped like the framework's (field order, escapes, trailing newline). */
  write(instance: DemoInstance, leaseId: string): { key: string; value: string };
  /** Whether the value has a free-form map that carries `metadata` (and with it the zone). */
  carriesMetadata: boolean;
  /** The name Switchyard decodes, when the framework registers something else than the service (dubbo: the interface). */
  registeredName?(service: string): string;
}

/**
 * Everything Switchyard knows about one registry format, in one object: adding a format is one
 * module exporting one of these plus one line in `REGISTRY_FORMATS`.
 */
export interface RegistryFormat {
  id: Format;
  /** Who writes it, for the README table. */
  framework: string;
  /** The key's shape, for the README table. */
  key: string;
  /** The value's shape, for the README table. */
  value: string;
  /** Which part of the registration names the service and which gives the instance id. */
  naming: string;
  decode: Decoder;
  demo: DemoWriter;
}
