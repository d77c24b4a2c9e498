import type { Format } from '@/lib/model/instance';
import type { DemoInstance } from '@/lib/server/registry/formats/format';
import { registryFormat } from '@/lib/server/registry/formats/index';

export type { DemoInstance };

/** The service name Switchyard decodes from this format's registration (what callers and drains use). */
export function registeredServiceName(format: Format, service: string): string {
  return registryFormat(format).demo.registeredName?.(service) ?? service;
}

/** The etcd prefix under which every registration of `service` in `format` lives (what a resolver watches). */
export function registrationPrefix(format: Format, service: string): string {
  return registryFormat(format).demo.prefix(service);
}

/** The key and value a service written with the format's framework puts into etcd for itself. */
export function registrationFor(format: Format, instance: DemoInstance, leaseId: string): { key: string; value: string } {
  return registryFormat(format).demo.write(instance, leaseId);
}
