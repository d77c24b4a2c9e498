// Command register writes registrations into etcd the way the Go tutorials do, with etcd's own
// clientv3: each -leased key=value under one lease kept alive, each -unleased key=value without
// one. It prints "registered" once every key is written, then holds the lease until SIGTERM or
// SIGINT, when it revokes the lease so its keys go at once.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"go.etcd.io/etcd/clientv3"
)

type pairs []string

func (p *pairs) String() string     { return strings.Join(*p, ",") }
func (p *pairs) Set(v string) error { *p = append(*p, v); return nil }

func split(pair string) (string, string) {
	i := strings.Index(pair, "=")
	if i < 0 {
		fail(fmt.Errorf("%q is not key=value", pair))
	}
	return pair[:i], pair[i+1:]
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "register:", err)
	os.Exit(1)
}

func main() {
	endpoints := flag.String("endpoints", "127.0.0.1:2379", "comma-separated etcd endpoints")
	ttl := flag.Int64("ttl", 10, "lease TTL in seconds")
	var leased, unleased pairs
	flag.Var(&leased, "leased", "key=value to put under the lease (repeatable)")
	flag.Var(&unleased, "unleased", "key=value to put without a lease (repeatable)")
	flag.Parse()

	client, err := clientv3.New(clientv3.Config{Endpoints: strings.Split(*endpoints, ","), DialTimeout: 5 * time.Second})
	if err != nil {
		fail(err)
	}
	defer client.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	lease, err := client.Grant(ctx, *ttl)
	if err != nil {
		fail(err)
	}
	for _, pair := range leased {
		key, value := split(pair)
		if _, err := client.Put(ctx, key, value, clientv3.WithLease(lease.ID)); err != nil {
			fail(err)
		}
	}
	for _, pair := range unleased {
		key, value := split(pair)
		if _, err := client.Put(ctx, key, value); err != nil {
			fail(err)
		}
	}
	alive, err := client.KeepAlive(context.Background(), lease.ID)
	if err != nil {
		fail(err)
	}
	fmt.Printf("registered lease %d\n", lease.ID)

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	for {
		select {
		case _, ok := <-alive:
			if !ok {
				fail(fmt.Errorf("lease %d lost", lease.ID))
			}
		case <-stop:
			revokeCtx, revokeCancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer revokeCancel()
			if _, err := client.Revoke(revokeCtx, lease.ID); err != nil {
				fail(err)
			}
			return
		}
	}
}
