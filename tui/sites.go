package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/floorwatch/floorwatch/alerts"
	"github.com/floorwatch/floorwatch/live"
)

// Site is one site of a floor folded from several (a NATS feed of several
// sites): the dashboard shows a row for each on the Overview, and the site
// key narrows the whole dashboard to one.
type Site struct {
	Name string
	// Hub is the site's own fold: its ids as the site knows them.
	Hub *live.Hub
	// LastMessage is the wall time the site was last heard from.
	LastMessage time.Time
	// Dropped counts the events the site's publisher could not publish.
	Dropped int64
	// SourceLost: the site's publisher cannot reach its own source.
	SourceLost string
}

// siteKey cycles the dashboard through all sites together and each site
// alone.
var siteKey = key.NewBinding(key.WithKeys("S"), key.WithHelp("S", "site"))

// siteQuiet: a site's publisher heartbeats every second, so this much
// silence is worth showing.
const siteQuiet = 3 * time.Second

// siteView is which site the dashboard shows.
type siteView struct {
	all  *live.Hub // the sites together, once narrowed to one
	name string    // the site shown alone; "" for all of them
	// books keep each hub's alerts apart, so that looking at a site does
	// not raise again what its prefixed twin already raised.
	books map[*live.Hub]*alerts.Book
}

// siteKeyPressed handles the site key: all sites, then each alone, then
// all again. It reports whether msg was that key.
func (m *Model) siteKeyPressed(msg tea.KeyMsg) (bool, tea.Cmd) {
	if m.opts.Sites == nil || !key.Matches(msg, siteKey) {
		return false, nil
	}
	list := m.opts.Sites()
	if m.site.all == nil {
		m.site.all = m.hub
	}
	i := -1 // all sites
	for j, s := range list {
		if s.Name == m.site.name {
			i = j
		}
	}
	next, hub := "", m.site.all
	if i++; i < len(list) {
		next, hub = list[i].Name, list[i].Hub
	}
	m.showHub(hub)
	m.site.name = next
	m.flash = "all sites"
	if next != "" {
		m.flash = "site " + next + " alone"
	}
	return true, tea.Batch(m.refresh(), m.waitChange())
}

// showHub points the dashboard at h, with h's own alert book; what is
// active there when first shown is history, not news.
func (m *Model) showHub(h *live.Hub) {
	if m.site.books == nil {
		m.site.books = map[*live.Hub]*alerts.Book{}
	}
	m.site.books[m.hub] = m.book
	b, ok := m.site.books[h]
	if !ok {
		b = alerts.New(alerts.Options{By: m.opts.Supervisor})
		b.Observe(h.Report(m.window))
	}
	m.book = b
	m.cancel()
	m.hub = h
	m.sub, m.cancel = h.Subscribe()
	m.goTab(m.tabIndex())
	m.look()
}

// siteRows are the Overview's row per site, and one for all of them; ""
// for a floor of one site.
func (m *Model) siteRows(w int) string {
	if m.opts.Sites == nil {
		return ""
	}
	s := m.styles
	all := m.site.all
	if all == nil {
		all = m.hub
	}
	rows := []string{s.Muted.Render(fmt.Sprintf("SITES %s (%s: narrow to one)", spanTag(m.window), siteKey.Help().Key))}
	row := func(name string, h *live.Hub, shown bool, note string) {
		f := h.Report(m.window).Floor
		line := fmt.Sprintf("%-10s SL %6s  offered %4d  abandoned %3d  waiting %3d  staffed %3d%s",
			name, pct(f.ServiceLevel), f.Offered, f.Abandoned, f.Waiting, f.Staffed, note)
		st := s.Level(slLevel(f.ServiceLevel, f.SLTarget))
		if shown {
			st = st.Bold(true)
			line = "▸ " + line
		} else {
			line = "  " + line
		}
		rows = append(rows, st.Render(ansi.Truncate(line, w, "…")))
	}
	for _, site := range m.opts.Sites() {
		var notes []string
		if quiet := m.wall.Sub(site.LastMessage); !site.LastMessage.IsZero() && quiet > siteQuiet {
			notes = append(notes, "quiet "+ageText(quiet))
		}
		if site.SourceLost != "" {
			notes = append(notes, "source lost")
		}
		if site.Dropped > 0 {
			notes = append(notes, fmt.Sprintf("%d not published", site.Dropped))
		}
		note := ""
		if len(notes) > 0 {
			note = "  " + strings.Join(notes, ", ")
		}
		row(site.Name, site.Hub, m.site.name == site.Name, note)
	}
	row("all sites", all, m.site.name == "", "")
	return strings.Join(rows, "\n")
}
