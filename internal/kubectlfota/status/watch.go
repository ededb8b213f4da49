package status

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/watch"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/fota-operator/fota-operator/api/v1alpha1"
)

// clearScreen moves a terminal's cursor home and clears it, so that each frame replaces the last.
const clearScreen = "\033[H\033[2J"

// follow draws the screen again on every change of the target until ctx ends. The API server
// closes a watch after a while; follow then opens it again, so --watch runs as long as the user
// wants. A watch that ends soon after it opened is opened again only after a pause that doubles
// each time, up to maxReopenPause, so that a server that keeps ending it is not called in a loop.
func (o *options) follow(ctx context.Context, r reader, t target, last string) error {
	pause := time.Duration(0)
	for ctx.Err() == nil {
		if !sleep(ctx, pause) {
			return nil
		}
		opened := time.Now()
		changes, err := watchTarget(ctx, r, t)
		if err != nil {
			err = explain(t, err)
		} else {
			last, err = o.redraw(ctx, changes, func() (string, error) { return o.draw(ctx, r, t) }, last)
			changes.Stop()
		}
		if ctx.Err() != nil {
			return nil // interrupted: whatever request was in flight ends with it
		}
		if err != nil {
			return err
		}
		pause = nextReopenPause(pause, time.Since(opened))
	}
	return nil
}

// maxReopenPause is the longest pause before a watch is opened again.
const maxReopenPause = 8 * time.Second

// nextReopenPause is the pause before the next watch: none after a watch that lasted, else twice
// the last one, from a quarter of a second up to maxReopenPause.
func nextReopenPause(last, lasted time.Duration) time.Duration {
	if lasted >= maxReopenPause {
		return 0
	}
	return min(max(2*last, 250*time.Millisecond), maxReopenPause)
}

// sleep waits for d, or less when ctx ends first; it reports whether ctx is still live.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-timer.C:
		return true
	}
}

// redraw draws a frame on each burst of events of changes whose screen differs from the last
// one, until changes ends or ctx ends; it returns the last frame drawn. A deleted object is a
// frame too: it may come back, and the user sees that it is gone.
func (o *options) redraw(ctx context.Context, changes watch.Interface, draw func() (string, error), last string) (string, error) {
	for {
		select {
		case <-ctx.Done():
			return last, nil
		case event, open := <-changes.ResultChan():
			if !open || event.Type == watch.Error {
				return last, nil // expired or closed by the server: the caller watches again
			}
			open = drain(changes)
			screen, err := draw()
			if apierrors.IsNotFound(err) {
				screen, err = err.Error()+"\n", nil
			}
			if err != nil {
				return last, err
			}
			if screen != last {
				if err := o.writeFrame(screen); err != nil {
					return last, err
				}
				last = screen
			}
			if !open {
				return last, nil
			}
		}
	}
}

// drain takes the events that are already waiting, so that a burst (the first events of a new
// watch, one per wave campaign; a wave's campaigns written together) costs one fetch instead of
// one per event. It reports whether changes is still open.
func drain(changes watch.Interface) (open bool) {
	for {
		select {
		case event, open := <-changes.ResultChan():
			if !open || event.Type == watch.Error {
				return false
			}
		default:
			return true
		}
	}
}

// writeFrame replaces the screen on a terminal; in a pipe or a log it separates the frames with
// a line that says when the change came.
func (o *options) writeFrame(screen string) error {
	frame := fmt.Sprintf("\n--- %s\n%s", o.now().UTC().Format(time.RFC3339), screen)
	if isTerminal(o.streams.Out) {
		frame = clearScreen + screen
	}
	_, err := io.WriteString(o.streams.Out, frame)
	return err
}

func isTerminal(out io.Writer) bool {
	file, ok := out.(*os.File)
	if !ok {
		return false
	}
	info, err := file.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// watchTarget watches the target by name and, for a rollout, its wave campaigns, as one stream
// of events.
func watchTarget(ctx context.Context, r reader, t target) (watch.Interface, error) {
	byName := []client.ListOption{client.InNamespace(t.namespace),
		client.MatchingFieldsSelector{Selector: fields.OneTermEqualSelector("metadata.name", t.name)}}
	if t.kind == kindCampaign {
		return r.Watch(ctx, &v1alpha1.FotaCampaignList{}, byName...)
	}
	rollout, err := r.Watch(ctx, &v1alpha1.FotaRolloutList{}, byName...)
	if err != nil {
		return nil, err
	}
	campaigns, err := r.Watch(ctx, &v1alpha1.FotaCampaignList{}, waveCampaignsOf(t)...)
	if err != nil {
		rollout.Stop()
		return nil, err
	}
	return merge(rollout, campaigns), nil
}

// merge makes one watch of several. When one of them ends, the merged watch ends, so that the
// caller opens them all again together and misses no change of any.
func merge(sources ...watch.Interface) watch.Interface {
	events := make(chan watch.Event)
	merged := watch.NewProxyWatcher(events)
	var forwarders sync.WaitGroup
	for _, source := range sources {
		forwarders.Go(func() {
			defer merged.Stop()
			forward(source, events, merged.StopChan())
		})
	}
	go func() {
		<-merged.StopChan()
		for _, source := range sources {
			source.Stop()
		}
		forwarders.Wait()
		close(events)
	}()
	return merged
}

// forward sends source's events to events until source ends or stop closes.
func forward(source watch.Interface, events chan<- watch.Event, stop <-chan struct{}) {
	for {
		select {
		case <-stop:
			return
		case event, open := <-source.ResultChan():
			if !open {
				return
			}
			select {
			case events <- event:
			case <-stop:
				return
			}
		}
	}
}
