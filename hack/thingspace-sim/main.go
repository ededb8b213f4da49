// Command thingspace-sim serves the in-memory ThingSpace simulator (internal/thingspace/simulator)
// on its own, for trying the operator or a script against something that answers like ThingSpace:
//
//	go run ./hack/thingspace-sim --addr 127.0.0.1:8089
//
// It starts with the sample campaigns (simulator.SampleCampaigns), the one in progress with 500
// devices upgrading from the moment it starts (simulator.StartSampleRollout), unless --seed names
// a JSON or YAML file holding a list of campaign objects. A campaign scheduled through it is
// CampaignRequestPending for --accept-delay, then CampaignRequestQueued. It stops on SIGINT or
// SIGTERM. Its /_sim/ endpoints have no authentication, so keep it on a loopback address; --help
// lists them with curl examples.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/fota-operator/fota-operator/internal/thingspace"
	"github.com/fota-operator/fota-operator/internal/thingspace/simulator"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "thingspace-sim:", err)
		os.Exit(1)
	}
}

// config is what the command line asks for.
type config struct {
	addr         string
	seedFile     string
	accessToken  string
	sessionToken string
	clientID     string
	clientSecret string
	username     string
	password     string
	latency      time.Duration
	acceptDelay  time.Duration
	listLag      time.Duration
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	flags := flag.NewFlagSet("thingspace-sim", flag.ContinueOnError)
	flags.SetOutput(stderr)
	flags.StringVar(&c.addr, "addr", "127.0.0.1:8089", "address to listen on; keep it loopback, /_sim/ has no authentication")
	flags.StringVar(&c.seedFile, "seed", "", "JSON or YAML file with a list of campaigns (default: the built-in sample campaigns)")
	flags.StringVar(&c.accessToken, "access-token", "dev-access-token", "static access token accepted as 'Authorization: Bearer ...' (empty: none)")
	flags.StringVar(&c.sessionToken, "session-token", "dev-session-token", "static session token accepted as 'VZ-M2M-Token: ...' (empty: none)")
	flags.StringVar(&c.clientID, "client-id", "dev-client-id", "OAuth2 client id accepted at /api/ts/v1/oauth2/token (empty: none)")
	flags.StringVar(&c.clientSecret, "client-secret", "dev-client-secret", "OAuth2 client secret for --client-id")
	flags.StringVar(&c.username, "username", "dev-user", "user accepted at /api/m2m/v1/session/login (empty: none)")
	flags.StringVar(&c.password, "password", "dev-password", "password of --username")
	flags.DurationVar(&c.latency, "latency", 0, "delay added to every ThingSpace request, e.g. 200ms")
	flags.DurationVar(&c.acceptDelay, "accept-delay", simulator.DefaultAcceptDelay,
		"how long a newly scheduled campaign stays CampaignRequestPending before it is CampaignRequestQueued (0: queued at once)")
	flags.DurationVar(&c.listLag, "list-lag", 0,
		"how long a newly scheduled campaign stays out of the campaign list, as an index that has not caught up (0: listed at once)")
	flags.Usage = func() { usage(flags, c.addr) }
	if err := flags.Parse(args); err != nil {
		return config{}, err
	}
	if flags.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected arguments %q", flags.Args())
	}
	if c.listLag < 0 {
		return config{}, fmt.Errorf("--list-lag %s: must not be negative", c.listLag)
	}
	return c, nil
}

// usage is the --help text: the flags, then the /_sim/ endpoints with examples for addr.
func usage(flags *flag.FlagSet, addr string) {
	out := flags.Output()
	_, _ = fmt.Fprint(out, "Usage: go run ./hack/thingspace-sim [flags]\n\n"+
		"Serves an in-memory ThingSpace (FOTA v2, OAuth2 token, session login) for trying the operator.\n\nFlags:\n")
	flags.PrintDefaults()
	_, _ = fmt.Fprint(out, "\nAdmin endpoints under /_sim/ (no authentication; keep --addr on a loopback address):\n\n")
	for _, line := range strings.SplitAfter(simulator.AdminUsage("http://"+addr), "\n") {
		if strings.TrimSpace(line) != "" {
			line = "  " + line
		}
		_, _ = fmt.Fprint(out, line)
	}
}

func (c config) options() simulator.Options {
	// The simulator reads a zero AcceptDelay as its default and a negative one as "at once".
	acceptDelay := c.acceptDelay
	if acceptDelay <= 0 {
		acceptDelay = -1
	}
	opts := simulator.Options{Latency: c.latency, AcceptDelay: acceptDelay}
	if c.accessToken != "" || c.sessionToken != "" {
		opts.StaticTokens = []simulator.TokenPair{{AccessToken: c.accessToken, SessionToken: c.sessionToken}}
	}
	if c.clientID != "" {
		opts.Clients = map[string]string{c.clientID: c.clientSecret}
	}
	if c.username != "" {
		opts.Users = map[string]string{c.username: c.password}
	}
	return opts
}

// run serves the simulator until ctx ends.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	campaigns, err := initialCampaigns(c.seedFile, time.Now())
	if err != nil {
		return err
	}
	sim := simulator.New(c.options())
	sim.SetListLag(c.listLag)
	for _, campaign := range campaigns {
		sim.Seed(campaign)
	}
	if c.seedFile == "" {
		if err := sim.StartSampleRollout(time.Now()); err != nil {
			return err
		}
	}
	if !isLoopback(c.addr) {
		_, _ = fmt.Fprintf(stderr, "warning: %s is not a loopback address; anyone who reaches it can use /_sim/ without credentials\n", c.addr)
	}
	baseURL, err := sim.Start(c.addr)
	if err != nil {
		return err
	}
	// `make dev` and scripts wait for this line to learn the port.
	if _, err := fmt.Fprintf(stdout, "ThingSpace simulator listening on %s\n", baseURL); err != nil {
		return errors.Join(err, sim.Close())
	}
	<-ctx.Done()
	return sim.Close()
}

// initialCampaigns reads the seed file, or returns the sample campaigns when there is none.
func initialCampaigns(seedFile string, now time.Time) ([]thingspace.Campaign, error) {
	if seedFile == "" {
		return simulator.SampleCampaigns(now), nil
	}
	raw, err := os.ReadFile(seedFile)
	if err != nil {
		return nil, fmt.Errorf("--seed: %w", err)
	}
	var campaigns []thingspace.Campaign
	if err := yaml.Unmarshal(raw, &campaigns); err != nil {
		return nil, fmt.Errorf("--seed %s: want a JSON or YAML list of campaigns: %w", seedFile, err)
	}
	for i, campaign := range campaigns {
		if campaign.ID == "" || campaign.AccountName == "" {
			return nil, fmt.Errorf("--seed %s: campaign %d needs id and accountName", seedFile, i)
		}
	}
	return campaigns, nil
}

func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
