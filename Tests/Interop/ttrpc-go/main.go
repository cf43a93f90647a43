// A stock ttrpc client (containerd/ttrpc 1.1.1 as Debian packages it) calling peerd through
// client code generated from peerd's own .proto files (gen/, by scripts/gen-proto-go with Debian's
// protoc-gen-gogottrpc). It proves peerd speaks ttrpc, not something like it, and that the
// contract's service blocks are what peerd serves.
//
// Usage: ttrpc-go <socket>. Prints one line per check and exits non-zero on the first failure.
package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"time"

	"github.com/containerd/ttrpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	healthv1 "peerd-interop/gen/grpc/health/v1"
	peermanagerv1 "peerd-interop/gen/waku/peermanager/v1"
)

const (
	relay     = "/vac/waku/relay/2.0.0"
	lightpush = "/vac/waku/lightpush/3.0.0"
	peerID    = "16Uiu2HAmSH2XVgZqYHWucap5kuPzLnt2TsNQkoppVxB5eJGvaXwm"
	// A well-formed peer id nobody added.
	unknownPeer = "16Uiu2HAkv3La3ECgQpdYeEJfrX36EWdhkUDv4C9wvXM8TFZ9dNgd"
)

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "FAIL: "+format+"\n", args...)
	os.Exit(1)
}

// expectCode fails unless err carries the wanted status code.
func expectCode(call string, err error, want codes.Code) {
	fmt.Printf("%s: %s\n", call, status.Code(err))
	if status.Code(err) != want {
		fail("%s: expected %v, got %v", call, want, err)
	}
}

func main() {
	if len(os.Args) != 2 {
		fail("usage: ttrpc-go <socket>")
	}
	conn, err := net.Dial("unix", os.Args[1])
	if err != nil {
		fail("dial: %v", err)
	}
	client := ttrpc.NewClient(conn)
	defer client.Close()
	health := healthv1.NewHealthClient(client)
	manager := peermanagerv1.NewPeerManagerClient(client)

	// A deadline makes ttrpc send timeout_nano, which peerd honours.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	checked, err := health.Check(ctx, &healthv1.HealthCheckRequest{})
	if err != nil {
		fail("Health/Check: %v", err)
	}
	fmt.Printf("Health/Check: %s\n", checked.Status)

	info, err := manager.GetInfo(ctx, &peermanagerv1.GetInfoRequest{})
	if err != nil {
		fail("GetInfo: %v", err)
	}
	fmt.Printf("GetInfo: protocol=%s services=%v\n", info.Protocol, info.Services)

	added, err := manager.AddPeer(ctx, &peermanagerv1.AddPeerRequest{
		Source: &peermanagerv1.AddPeerRequest_Peer{Peer: &peermanagerv1.Peer{
			PeerId:    peerID,
			Addresses: []string{"/ip4/127.0.0.1/tcp/60000"},
			Protocols: []string{relay, lightpush},
		}},
		Origin: peermanagerv1.Origin_ORIGIN_STATIC,
	})
	if err != nil {
		fail("AddPeer: %v", err)
	}
	if added.Peer == nil || added.Peer.PeerId != peerID {
		fail("AddPeer: record %+v", added.Peer)
	}
	fmt.Printf("AddPeer: %s origin=%s\n", added.Peer.PeerId, added.Peer.Origin)

	got, err := manager.GetPeer(ctx, &peermanagerv1.GetPeerRequest{PeerId: peerID})
	if err != nil {
		fail("GetPeer: %v", err)
	}
	if len(got.Addresses) != 1 || got.Addresses[0] != "/ip4/127.0.0.1/tcp/60000" {
		fail("GetPeer: addresses %v", got.Addresses)
	}
	fmt.Printf("GetPeer: %s addresses=%v protocols=%v\n", got.PeerId, got.Addresses, got.Protocols)

	selected, err := manager.SelectPeer(ctx, &peermanagerv1.SelectPeerRequest{Protocol: lightpush})
	if err != nil {
		fail("SelectPeer: %v", err)
	}
	if selected.Peer == nil || selected.Peer.PeerId != peerID {
		fail("SelectPeer: %+v", selected.Peer)
	}
	fmt.Printf("SelectPeer(%s): %s\n", lightpush, selected.Peer.PeerId)

	_, err = manager.GetPeer(ctx, &peermanagerv1.GetPeerRequest{PeerId: unknownPeer})
	expectCode("GetPeer(unknown)", err, codes.NotFound)

	_, err = manager.AddPeer(ctx, &peermanagerv1.AddPeerRequest{
		Source: &peermanagerv1.AddPeerRequest_Address{Address: "not a multiaddr"},
	})
	expectCode("AddPeer(bad address)", err, codes.InvalidArgument)

	_, err = health.Check(ctx, &healthv1.HealthCheckRequest{Service: "no.Such"})
	expectCode("Health/Check(no.Such)", err, codes.NotFound)

	// A method outside the contract: no generated stub, so the raw call.
	var response healthv1.HealthCheckResponse
	err = client.Call(ctx, "grpc.health.v1.Health", "Nope", &healthv1.HealthCheckRequest{}, &response)
	expectCode("Health/Nope", err, codes.Unimplemented)
}
