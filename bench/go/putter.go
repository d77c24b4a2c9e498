// Command putter is the scale benchmark's load generator: new instances put into etcd at a steady
// rate with etcd's own clientv3, as Go services register, never waiting for one put before the
// next. Each put is timed from when it is handed to the client (epoch ms, the clock the viewers'
// processes stamp receipts with). At the end it prints one JSON object: every acknowledged put
// (key, service, issued at), the failures, and each put's time to its acknowledgement.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	"go.etcd.io/etcd/clientv3"
)

type result struct {
	Acked  [][3]interface{} `json:"acked"`
	Errors int              `json:"errors"`
	AckMs  []float64        `json:"ackMs"`
	// User and system CPU of this process, so the report can say what the load generator cost.
	CPUMs float64 `json:"cpuMs"`
}

func epochMs(t time.Time) float64 { return float64(t.UnixNano()) / 1e6 }

func main() {
	endpoints := flag.String("endpoints", "127.0.0.1:2379", "comma-separated etcd endpoints")
	prefix := flag.String("prefix", "/services/", "key prefix")
	services := flag.String("services", "", "comma-separated services, round-robin")
	rate := flag.Int("rate", 1000, "puts a second")
	seconds := flag.Int("seconds", 10, "for how long")
	port := flag.Int("port", 9, "the TCP port the new instances' addresses name")
	flag.Parse()
	names := strings.Split(*services, ",")
	cli, err := clientv3.New(clientv3.Config{Endpoints: strings.Split(*endpoints, ","), DialTimeout: 5 * time.Second})
	if err != nil {
		fmt.Fprintln(os.Stderr, "putter:", err)
		os.Exit(1)
	}
	defer cli.Close()

	total := *rate * *seconds
	var mu sync.Mutex
	var wg sync.WaitGroup
	out := result{Acked: [][3]interface{}{}, AckMs: []float64{}}
	started := time.Now()
	for issued := 0; issued < total; {
		due := int(time.Since(started).Seconds()*float64(*rate)) + 1
		if due > total {
			due = total
		}
		for ; issued < due; issued++ {
			n := issued
			service := names[n%len(names)]
			key := fmt.Sprintf("%s%s/scale-put-%d", *prefix, service, n)
			value := fmt.Sprintf(`{"address":"127.200.%d.%d:%d","version":"2.4.1","zone":"eu-west-1b","metadata":{"team":"bench","commit":"c%d"}}`, (n>>8)&255, n&255, *port, (uint64(n)*2654435761)%1000000)
			wg.Add(1)
			go func() {
				defer wg.Done()
				at := time.Now()
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				_, err := cli.Put(ctx, key, value)
				cancel()
				done := time.Now()
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					out.Errors++
					return
				}
				out.Acked = append(out.Acked, [3]interface{}{key, service, epochMs(at)})
				out.AckMs = append(out.AckMs, epochMs(done)-epochMs(at))
			}()
		}
		time.Sleep(time.Millisecond)
	}
	wg.Wait()
	var usage syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &usage); err == nil {
		out.CPUMs = float64(usage.Utime.Nano()+usage.Stime.Nano()) / 1e6
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, "putter:", err)
		os.Exit(1)
	}
}
