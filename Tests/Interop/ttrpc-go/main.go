// A stock ttrpc client (containerd/ttrpc 1.1.1 as Debian packages it) calling peerd.
// It proves peerd speaks ttrpc, not something like it. Messages are declared the way ttrpc's own
// types.go declares its envelopes: plain structs with protobuf struct tags, marshalled by gogo.
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
)

type HealthCheckRequest struct {
	Service string `protobuf:"bytes,1,opt,name=service,proto3"`
}

func (m *HealthCheckRequest) Reset()         { *m = HealthCheckRequest{} }
func (m *HealthCheckRequest) String() string { return fmt.Sprintf("%+v", *m) }
func (*HealthCheckRequest) ProtoMessage()    {}

type HealthCheckResponse struct {
	Status int32 `protobuf:"varint,1,opt,name=status,proto3"`
}

func (m *HealthCheckResponse) Reset()         { *m = HealthCheckResponse{} }
func (m *HealthCheckResponse) String() string { return fmt.Sprintf("%+v", *m) }
func (*HealthCheckResponse) ProtoMessage()    {}

type GetInfoRequest struct{}

func (m *GetInfoRequest) Reset()         { *m = GetInfoRequest{} }
func (m *GetInfoRequest) String() string { return "GetInfoRequest{}" }
func (*GetInfoRequest) ProtoMessage()    {}

type GetInfoResponse struct {
	Version              string   `protobuf:"bytes,1,opt,name=version,proto3"`
	Protocol             string   `protobuf:"bytes,2,opt,name=protocol,proto3"`
	UptimeSeconds        uint64   `protobuf:"varint,3,opt,name=uptime_seconds,proto3"`
	Services             []string `protobuf:"bytes,4,rep,name=services,proto3"`
	MaxFrameSize         uint32   `protobuf:"varint,5,opt,name=max_frame_size,proto3"`
	MaxConcurrentStreams uint32   `protobuf:"varint,6,opt,name=max_concurrent_streams,proto3"`
}

func (m *GetInfoResponse) Reset()         { *m = GetInfoResponse{} }
func (m *GetInfoResponse) String() string { return fmt.Sprintf("%+v", *m) }
func (*GetInfoResponse) ProtoMessage()    {}

var servingStatus = map[int32]string{0: "UNKNOWN", 1: "SERVING", 2: "NOT_SERVING", 3: "SERVICE_UNKNOWN"}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "FAIL: "+format+"\n", args...)
	os.Exit(1)
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

	// A deadline makes ttrpc send timeout_nano, which peerd honours.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	var health HealthCheckResponse
	if err := client.Call(ctx, "grpc.health.v1.Health", "Check", &HealthCheckRequest{}, &health); err != nil {
		fail("Health/Check: %v", err)
	}
	fmt.Printf("Health/Check: %s\n", servingStatus[health.Status])

	var info GetInfoResponse
	if err := client.Call(ctx, "waku.peermanager.v1.PeerManager", "GetInfo", &GetInfoRequest{}, &info); err != nil {
		fail("GetInfo: %v", err)
	}
	fmt.Printf("GetInfo: protocol=%s services=%v\n", info.Protocol, info.Services)

	err = client.Call(ctx, "grpc.health.v1.Health", "Nope", &HealthCheckRequest{}, &health)
	fmt.Printf("Health/Nope: %s\n", status.Code(err))
	if status.Code(err) != codes.Unimplemented {
		fail("expected Unimplemented, got %v", err)
	}

	err = client.Call(ctx, "grpc.health.v1.Health", "Check", &HealthCheckRequest{Service: "no.Such"}, &health)
	fmt.Printf("Health/Check(no.Such): %s\n", status.Code(err))
	if status.Code(err) != codes.NotFound {
		fail("expected NotFound, got %v", err)
	}
}
