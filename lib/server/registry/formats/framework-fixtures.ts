import type { Format } from '@/lib/model/instance';

/**
 * Registrations exactly as each framework's own registration code writes them — key, value bytes
 * (Go's `\u003c` escapes, `null` for nil maps and slices, encoder newlines, unsorted sonic maps)
 * and lease — with the source beside each, read in the framework's repository. These were
 * transcribed from that code, not from our decoders, so the decoders are tested against them.
 */
export interface FrameworkFixture {
  format: Format;
  /** What the fixture shows (the test name). */
  name: string;
  /** repository · file · function(s) whose output this is. */
  source: string;
  key: string;
  value: string;
  /** Every framework except dubbo's interface-level registry puts its key under a lease. */
  lease: string | undefined;
  /** What Switchyard must read: one entry per instance. */
  instances: { service: string; id: string; address: string }[];
}

const LEASE = '7587874236439215621';

export const FRAMEWORK_FIXTURES: readonly FrameworkFixture[] = [
  {
    format: 'native',
    name: 'a Go client marshalling the native struct (nil maps and slices as null)',
    source: 'this repository · docs DESIGN §3 · the native format contract',
    key: '/services/orders/orders-1',
    value: '{"address":"10.0.0.3:8080","version":"1.4.2","zone":"eu-west-1a","weight":null,"metadata":null,"health":{"http":"/healthz","grpc":null},"dependsOn":null}\n',
    lease: LEASE,
    instances: [{ service: 'orders', id: 'orders-1', address: '10.0.0.3:8080' }],
  },
  {
    format: 'go-zero',
    name: 'zrpc with Etcd.Key "user.rpc"',
    source: 'zeromicro/go-zero · core/discov/publisher.go · (*Publisher).register; core/discov/clients.go · makeEtcdKey',
    key: `user.rpc/${LEASE}`,
    value: '192.168.1.10:8080',
    lease: LEASE,
    instances: [{ service: 'user.rpc', id: LEASE, address: '192.168.1.10:8080' }],
  },
  {
    format: 'go-zero',
    name: 'zrpc with a path as Etcd.Key',
    source: 'zeromicro/go-zero · core/discov/publisher.go · (*Publisher).register; core/discov/clients.go · makeEtcdKey',
    key: 'services/user.rpc/7587874236439215622',
    value: '192.168.1.11:8080',
    lease: '7587874236439215622',
    instances: [{ service: 'user.rpc', id: '7587874236439215622', address: '192.168.1.11:8080' }],
  },
  {
    format: 'kratos',
    name: 'the default namespace, nil metadata, HTTP and gRPC endpoints',
    source:
      'go-kratos/kratos · contrib/registry/etcd/registry.go · (*Registry).Register, registerKey; contrib/registry/etcd/service.go · marshal; app.go · buildInstance (uuid.NewUUID id)',
    key: '/microservices/helloworld/6ba7b810-9dad-11d1-80b4-00c04fd430c8',
    value:
      '{"id":"6ba7b810-9dad-11d1-80b4-00c04fd430c8","name":"helloworld","version":"v1.0.0","metadata":null,"endpoints":["http://192.168.1.10:8000","grpc://192.168.1.10:9000"]}',
    lease: LEASE,
    instances: [{ service: 'helloworld', id: '6ba7b810-9dad-11d1-80b4-00c04fd430c8', address: '192.168.1.10:8000' }],
  },
  {
    format: 'kratos',
    name: 'etcd.Namespace("/my-ns") and metadata with escaped HTML',
    source: 'go-kratos/kratos · contrib/registry/etcd/registry.go · Namespace, (*Registry).registerKey; contrib/registry/etcd/service.go · marshal',
    key: '/my-ns/helloworld/6ba7b811-9dad-11d1-80b4-00c04fd430c8',
    value: String.raw`{"id":"6ba7b811-9dad-11d1-80b4-00c04fd430c8","name":"helloworld","version":"v1.0.0","metadata":{"note":"a\u003cb\u003e\u0026c","region":"sh"},"endpoints":["grpc://192.168.1.11:9000?isSecure=false"]}`,
    lease: LEASE,
    instances: [{ service: 'helloworld', id: '6ba7b811-9dad-11d1-80b4-00c04fd430c8', address: '192.168.1.11:9000' }],
  },
  {
    format: 'go-micro',
    name: 'go-micro v4 plugin: one gRPC node, nil service metadata, endpoint value trees',
    source: 'go-micro/plugins · v4/registry/etcd/etcd.go · (*etcdRegistry).registerNode, nodePath, encode',
    key: '/micro/registry/helloworld/helloworld-5d3f6b4e-2c1a-4f0e-9b7a-8e2f1c3d4a5b',
    value:
      '{"name":"helloworld","version":"latest","metadata":null,"endpoints":[{"name":"Helloworld.Call",' +
      '"request":{"name":"CallRequest","type":"CallRequest","values":[{"name":"name","type":"string","values":null}]},' +
      '"response":{"name":"CallResponse","type":"CallResponse","values":[{"name":"msg","type":"string","values":null}]},' +
      '"metadata":{"stream":"false"}}],"nodes":[{"id":"helloworld-5d3f6b4e-2c1a-4f0e-9b7a-8e2f1c3d4a5b","address":"192.168.1.10:38227",' +
      '"metadata":{"broker":"http","protocol":"grpc","registry":"etcd","server":"grpc","transport":"grpc"}}]}',
    lease: LEASE,
    instances: [{ service: 'helloworld', id: 'helloworld-5d3f6b4e-2c1a-4f0e-9b7a-8e2f1c3d4a5b', address: '192.168.1.10:38227' }],
  },
  {
    format: 'go-micro',
    name: 'go-micro v3 with registry domains (default domain "micro")',
    source: 'micro/go-micro (v3) · registry/etcd/etcd.go · (*etcdRegistry).registerNode, nodePath, prefixWithDomain (defaultDomain = "micro")',
    key: '/micro/registry/micro/greeter/greeter-0b8e4a9c-1f2d-4c3b-a5e6-7d8f9a0b1c2d',
    value:
      '{"name":"greeter","version":"latest","metadata":{"domain":"micro"},"endpoints":[],"nodes":[{"id":"greeter-0b8e4a9c-1f2d-4c3b-a5e6-7d8f9a0b1c2d",' +
      '"address":"10.0.0.8:41235","metadata":{"broker":"service","domain":"micro","protocol":"grpc","registry":"etcd","server":"grpc","transport":"grpc"}}]}',
    lease: LEASE,
    instances: [{ service: 'greeter', id: 'greeter-0b8e4a9c-1f2d-4c3b-a5e6-7d8f9a0b1c2d', address: '10.0.0.8:41235' }],
  },
  {
    format: 'grpc-go',
    name: 'the etcd endpoints manager with a nested target',
    source: 'etcd-io/etcd · client/v3/naming/endpoints/endpoints_impl.go · (*endpointManager).Update (json.Marshal of internal.Update, no JSON tags)',
    key: 'foo/bar/my-service/10.0.0.1:50051',
    value: '{"Op":0,"Addr":"10.0.0.1:50051","Metadata":null}',
    lease: LEASE,
    instances: [{ service: 'my-service', id: '10.0.0.1:50051', address: '10.0.0.1:50051' }],
  },
  {
    format: 'kitex',
    name: 'nil tags',
    source: 'kitex-contrib/registry-etcd · etcd_registry.go · (*etcdRegistry).register; common.go · serviceKey, instanceInfo',
    key: 'kitex/registry-etcd/echo/10.0.0.5:8888',
    value: '{"network":"tcp","address":"10.0.0.5:8888","weight":10,"tags":null}',
    lease: LEASE,
    instances: [{ service: 'echo', id: '10.0.0.5:8888', address: '10.0.0.5:8888' }],
  },
  {
    format: 'kitex',
    name: 'tags sorted and HTML-escaped by encoding/json',
    source: 'kitex-contrib/registry-etcd · etcd_registry.go · (*etcdRegistry).register; common.go · instanceInfo',
    key: 'kitex/registry-etcd/echo/10.0.0.6:8888',
    value: String.raw`{"network":"tcp","address":"10.0.0.6:8888","weight":10,"tags":{"cluster":"a\u0026b","env":"prod"}}`,
    lease: LEASE,
    instances: [{ service: 'echo', id: '10.0.0.6:8888', address: '10.0.0.6:8888' }],
  },
  {
    format: 'hertz',
    name: 'sonic: tags in insertion order, "<" not escaped',
    source: 'hertz-contrib/registry · etcd/registry.go · (*etcdRegistry).register (sonic.Marshal); etcd/common.go · serviceKey, instanceInfo',
    key: 'hertz/registry-etcd/hello.api/10.0.0.7:8080',
    value: '{"network":"tcp","address":"10.0.0.7:8080","weight":10,"tags":{"idc":"hl","env":"prod","note":"<b>"}}',
    lease: LEASE,
    instances: [{ service: 'hello.api', id: '10.0.0.7:8080', address: '10.0.0.7:8080' }],
  },
  {
    format: 'rpcx',
    name: 'a node with empty metadata (libkv strips the leading "/")',
    source: 'rpcxio/rpcx-etcd · serverplugin/etcdv3.go · (*EtcdV3RegisterPlugin).Register; store/etcdv3/etcdv3.go · normalize',
    key: 'rpcx_test/Arith/tcp@127.0.0.1:8972',
    value: '',
    lease: LEASE,
    instances: [{ service: 'Arith', id: 'tcp@127.0.0.1:8972', address: '127.0.0.1:8972' }],
  },
  {
    format: 'rpcx',
    name: 'a node whose metadata marks it inactive',
    source: 'rpcxio/rpcx-etcd · serverplugin/etcdv3.go · (*EtcdV3RegisterPlugin).Register (metadata string as the value)',
    key: 'rpcx_test/Arith/tcp@127.0.0.1:8973',
    value: 'group=test&state=inactive',
    lease: LEASE,
    instances: [{ service: 'Arith', id: 'tcp@127.0.0.1:8973', address: '127.0.0.1:8973' }],
  },
  {
    format: 'rpcx',
    name: 'the base path directory key (known, not an instance)',
    source: 'rpcxio/rpcx-etcd · serverplugin/etcdv3.go · (*EtcdV3RegisterPlugin).Start (`kv.Put(p.BasePath, []byte("rpcx_path"), &store.WriteOptions{IsDir: true})`)',
    key: 'rpcx_test',
    value: 'rpcx_path',
    lease: undefined,
    instances: [],
  },
  {
    format: 'rpcx',
    name: 'the service directory key (known, not an instance)',
    source: 'rpcxio/rpcx-etcd · serverplugin/etcdv3.go · (*EtcdV3RegisterPlugin).Register (`kv.Put(p.BasePath + "/" + name, []byte(name), &store.WriteOptions{IsDir: true})`)',
    key: 'rpcx_test/Arith',
    value: 'Arith',
    lease: undefined,
    instances: [],
  },
  {
    format: 'dubbo',
    name: 'an interface-level tri provider (empty value)',
    source:
      'apache/dubbo-go · registry/base_registry.go · (*BaseRegistry).register, providerRegistry (url.QueryEscape of the provider URL); registry/etcdv3/registry.go · DoRegister',
    key:
      '/dubbo/com.foo.UserProvider/providers/tri%3A%2F%2F10.0.0.1%3A20000%2Fcom.foo.UserProvider%3Fanyhost%3Dtrue%26application%3Duser-svc' +
      '%26category%3Dproviders%26cluster%3Dfailover%26interface%3Dcom.foo.UserProvider%26loadbalance%3Drandom%26methods%3DGetUser%2CGetUsers' +
      '%26pid%3D4242%26registry%3Detcdv3%26release%3Ddubbo-golang-3.3.0%26side%3Dprovider%26timestamp%3D1700000000%26version%3D1.0.0',
    value: '',
    lease: LEASE,
    instances: [{ service: 'com.foo.UserProvider', id: 'tri://10.0.0.1:20000?version=1.0.0', address: '10.0.0.1:20000' }],
  },
  {
    format: 'dubbo-app',
    name: 'an application-level instance (json.Encoder: trailing newline)',
    source:
      'apache/dubbo-go · registry/etcdv3/service_discovery.go · (*etcdV3ServiceDiscovery).Register, toPath (hashicorp jsonutil.EncodeJSON); registry/servicediscovery/service_discovery_registry.go · createInstance',
    key: '/services/user-svc/10.0.0.5:20000',
    value:
      String.raw`{"ID":"10.0.0.5:20000","ServiceName":"user-svc","Host":"10.0.0.5","Port":20000,"Weight":0,"Enable":true,"Healthy":true,` +
      String.raw`"Metadata":{"dubbo.endpoints":"[{\"port\":20000,\"protocol\":\"tri\"}]","dubbo.metadata.revision":"8d4c1f0a7b","dubbo.metadata.storage-type":"local","registry.id":"etcd"},` +
      String.raw`"ServiceMetadata":{"app":"user-svc","revision":"8d4c1f0a7b","services":{"com.foo.UserProvider:tri":{"name":"com.foo.UserProvider","version":"1.0.0","protocol":"tri","port":20000,"path":"com.foo.UserProvider","params":{"methods":"GetUser,GetUsers","side":"provider"}}}},` +
      '"Address":"","GroupName":"","Tag":""}\n',
    lease: LEASE,
    instances: [{ service: 'user-svc', id: '10.0.0.5:20000', address: '10.0.0.5:20000' }],
  },
  {
    format: 'goframe',
    name: 'a ghttp server with the default head, deployment, namespace and version',
    source:
      'gogf/gf · contrib/registry/etcd/etcd_registrar.go · (*Registry).Register, doRegisterLease; net/gsvc/gsvc_service.go · (*LocalService).GetKey, GetValue; net/ghttp/ghttp_server_registry.go · doServiceRegister',
    key: '/service/default/default/user-api/latest/192.168.1.10:8000',
    value: '{"insecure":true,"protocol":"http"}',
    lease: LEASE,
    instances: [{ service: 'user-api', id: '192.168.1.10:8000', address: '192.168.1.10:8000' }],
  },
  {
    format: 'goframe',
    name: 'a grpcx server listening on two addresses',
    source: 'gogf/gf · contrib/rpc/grpcx/grpcx_grpc_server.go · doServiceRegister; net/gsvc/gsvc_endpoints.go · (Endpoints).String (comma-joined)',
    key: '/service/default/default/user-rpc/latest/192.168.1.10:8001,10.0.0.3:8001',
    value: '{"protocol":"grpc"}',
    lease: LEASE,
    instances: [{ service: 'user-rpc', id: '192.168.1.10:8001,10.0.0.3:8001', address: '192.168.1.10:8001' }],
  },
  {
    format: 'jupiter',
    name: 'v0.2–v0.9: a gRPC provider under /jupiter/',
    source:
      'douyu/jupiter @f84f675d (v0.2.0) · pkg/registry/etcdv3/registry.go · registerBiz; pkg/registry/registry.go · GetServiceKey, GetServiceValue; pkg/server/server.go · ServiceInfo, defaultServiceInfo',
    key: '/jupiter/hello/providers/grpc://192.168.1.10:9091',
    value:
      '{"name":"hello","appId":"","scheme":"grpc","address":"192.168.1.10:9091","weight":100,"enable":true,"healthy":true,' +
      '"metadata":{"appHost":"host-1","appMode":"","appVersion":"","buildTime":"","jupiterVersion":"0.2.0","startTime":"2020-08-04 01:47:35"},' +
      '"region":"","zone":"","kind":1,"deployment":"","group":"","services":null}',
    lease: LEASE,
    instances: [{ service: 'hello', id: 'grpc://192.168.1.10:9091', address: '192.168.1.10:9091' }],
  },
  {
    format: 'jupiter',
    name: 'v0.10+: RegistryName key and a naming update value',
    source: 'douyu/jupiter · pkg/registry/etcdv3/registry.go · registerKey, registerValue; pkg/server/server.go · (*ServiceInfo).RegistryName; pkg/registry/update.go · Update',
    key: 'grpc:hello:v1:dev/192.168.1.10:9092',
    value:
      '{"Op":0,"Addr":"192.168.1.10:9092","MetadataX":{"name":"hello","appId":"","scheme":"grpc","address":"192.168.1.10:9092","weight":100,"enable":true,"healthy":true,' +
      '"metadata":{"appVersion":"","buildTime":"","jupiterVersion":"v0.11.0","startTime":"2024-01-01 00:00:00"},"region":"","zone":"","kind":1,"version":"v1","mode":"dev","hostname":"host-1","deployment":"","group":""}}',
    lease: LEASE,
    instances: [{ service: 'hello', id: 'grpc://192.168.1.10:9092', address: '192.168.1.10:9092' }],
  },
  {
    format: 'jupiter',
    name: "a governor's Prometheus job key (known, not an instance)",
    source: 'douyu/jupiter · pkg/registry/etcdv3/registry.go · registerMetric (`/prometheus/job/%s/%s/%s` of name, pkg.HostName(), address; value the address)',
    key: '/prometheus/job/hello/host-1/192.168.1.10:9990',
    value: '192.168.1.10:9990',
    lease: LEASE,
    instances: [],
  },
  {
    format: 'plain',
    name: 'the classic tutorial: `/prefix/service/host:port` with the address as value',
    source: 'etcd clientv3 service-discovery tutorials (`cli.Put(ctx, prefix+"/"+name+"/"+addr, addr, clientv3.WithLease(id))`); also tests/support/go/register.go',
    key: '/services/orders/10.0.0.4:9000',
    value: '10.0.0.4:9000',
    lease: LEASE,
    instances: [{ service: 'orders', id: '10.0.0.4:9000', address: '10.0.0.4:9000' }],
  },
  {
    format: 'generic',
    name: "the seeds' one-key service: the key names the service, the value is its URL",
    source: 'issue 15 seeds (`client.Put(ctx, "/my-service", "http://localhost:8080", clientv3.WithLease(id))`); also tests/support/go/register.go',
    key: '/my-service',
    value: 'http://localhost:8080',
    lease: LEASE,
    instances: [{ service: 'my-service', id: 'localhost:8080', address: 'localhost:8080' }],
  },
];
