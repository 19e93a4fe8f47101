package tui

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/floorwatch/floorwatch/floor"
)

// The wallboard is the screen for a wall or a TV across the room: per
// queue, the service level against its goal, calls waiting, the longest
// wait and the agents available, in block digits as large as the screen
// allows, with a colour and a word; a line of recognition under them. No
// small print: a figure that cannot be read from across the room is not on
// it. Queues keep their places (in id order) so that people know where to
// look; when they do not all fit, pages turn every wallRotate.

// wallRotate is how long each page of queues stays up.
const wallRotate = 10 * time.Second

// wallboard is whether the wallboard is up, and since when: its pages turn
// on the wall clock from then, so no tick of its own is needed.
type wallboard struct {
	on    bool
	since time.Time
}

func (b *wallboard) show(now time.Time) { b.on, b.since = true, now }

// wallboardKey handles a key on the wallboard and reports whether it did:
// b and esc go back to the dashboard; quit, help and the window are left
// to work as anywhere; the other keys would act on screens that are not
// shown, so they do nothing.
func (m *Model) wallboardKey(msg tea.KeyMsg) (handled bool) {
	k := m.keys
	switch {
	case key.Matches(msg, k.Wallboard, k.Back):
		m.board.on = false
	case key.Matches(msg, k.Quit, k.Help, k.Window):
		return false
	}
	return true
}

// helpView is the view whose keys the help lists: the card's or the
// wallboard's while one is up.
func (m *Model) helpView() view {
	switch {
	case m.opts.Agent != "":
		return viewCard
	case m.board.on:
		return viewWallboard
	}
	return m.view
}

// Words of the wallboard, by grade (boardLevel).
var boardWords = map[Level]string{LevelNone: "NO CALLS", LevelGood: "OK", LevelWarn: "AT RISK", LevelBad: "MISSED"}

// boardLevel grades a queue for the wall. The service level against its
// goal, as everywhere (slLevel): OK on goal, AT RISK below it by less than
// amberPoints, MISSED further below. A queue on goal (or with no call yet)
// whose oldest caller has already waited past the answer-time threshold is
// AT RISK: that call will count against the goal however it ends.
func boardLevel(q *floor.QueueReport) Level {
	l := slLevel(q.ServiceLevel, q.SLTarget)
	if l < LevelWarn && q.LongestWaitS != nil && *q.LongestWaitS > q.SLThresholdS {
		l = LevelWarn
	}
	return l
}

func (m *Model) wallboardLegend() string {
	return fmt.Sprintf("Wallboard (b): each queue's service level, whole percent, rounded down so that a figure under goal never reads as on goal. "+
		"OK on goal and nobody waiting past the queue's seconds; AT RISK less than %.0f points under goal, or someone already waiting past them; "+
		"MISSED %.0f points or more under goal; NO CALLS nothing answered or abandoned yet. Pages turn every %s when the queues do not all fit.",
		amberPoints*100, amberPoints*100, wallRotate)
}

// wallLetters are the capitals of the block font, five rows of pixels
// ('#' lit): with the digits they write the wallboard's words and names.
var wallLetters = map[rune][5]string{
	'A': {"###", "#.#", "###", "#.#", "#.#"}, 'B': {"##.", "#.#", "##.", "#.#", "##."},
	'C': {"###", "#..", "#..", "#..", "###"}, 'D': {"##.", "#.#", "#.#", "#.#", "##."},
	'E': {"###", "#..", "##.", "#..", "###"}, 'F': {"###", "#..", "##.", "#..", "#.."},
	'G': {"###", "#..", "#.#", "#.#", "###"}, 'H': {"#.#", "#.#", "###", "#.#", "#.#"},
	'I': {"###", ".#.", ".#.", ".#.", "###"}, 'J': {"..#", "..#", "..#", "#.#", "###"},
	'K': {"#.#", "#.#", "##.", "#.#", "#.#"}, 'L': {"#..", "#..", "#..", "#..", "###"},
	'M': {"#...#", "##.##", "#.#.#", "#...#", "#...#"}, 'N': {"#..#", "##.#", "#.##", "#..#", "#..#"},
	'O': {"###", "#.#", "#.#", "#.#", "###"}, 'P': {"###", "#.#", "###", "#..", "#.."},
	'Q': {"###", "#.#", "#.#", "###", "..#"}, 'R': {"###", "#.#", "##.", "#.#", "#.#"},
	'S': {"###", "#..", "###", "..#", "###"}, 'T': {"###", ".#.", ".#.", ".#.", ".#."},
	'U': {"#.#", "#.#", "#.#", "#.#", "###"}, 'V': {"#.#", "#.#", "#.#", "#.#", ".#."},
	'W': {"#...#", "#...#", "#.#.#", "##.##", "#...#"}, 'X': {"#.#", "#.#", ".#.", "#.#", "#.#"},
	'Y': {"#.#", "#.#", "###", ".#.", ".#."}, 'Z': {"###", "..#", ".#.", "#..", "###"},
	' ': {"..", "..", "..", "..", ".."}, ':': {".", "#", ".", "#", "."},
	'/': {"..#", "..#", ".#.", "#..", "#.."}, '&': {".#.", "#.#", ".#.", "#.#", ".##"},
}

func init() {
	// The letters join the digits of the header's block font, so that
	// bigText writes words as well.
	for r, px := range wallLetters {
		bigGlyphs[r] = halfBlocks(px)
	}
}

// halfBlocks draws five rows of pixels as three lines of half blocks.
func halfBlocks(px [5]string) [3]string {
	var out [3]string
	for row := range out {
		var b strings.Builder
		for x := range len(px[0]) {
			top := px[2*row][x] == '#'
			bottom := 2*row+1 < len(px) && px[2*row+1][x] == '#'
			b.WriteRune(blockRune(top, bottom))
		}
		out[row] = b.String()
	}
	return out
}

func blockRune(top, bottom bool) rune {
	switch {
	case top && bottom:
		return '█'
	case top:
		return '▀'
	case bottom:
		return '▄'
	}
	return ' '
}

// bigScaled is bigText(s) k times larger, 3k lines: every half-block
// pixel becomes k×k of them, so the figures keep their shape.
func bigScaled(s string, k int) []string {
	rows := bigText(s)
	if k <= 1 {
		return rows[:]
	}
	cells := [3][]rune{[]rune(rows[0]), []rune(rows[1]), []rune(rows[2])}
	lit := func(y, x int) bool { // pixel row y (0..5) of cell column x
		c := cells[y/2][x]
		if y%2 == 0 {
			return c == '█' || c == '▀'
		}
		return c == '█' || c == '▄'
	}
	w := len(cells[0])
	out := make([]string, 3*k)
	for y := range out {
		var b strings.Builder
		for x := range w * k {
			b.WriteRune(blockRune(lit(2*y/k, x/k), lit((2*y+1)/k, x/k)))
		}
		out[y] = b.String()
	}
	return out
}

// bigWidth is how many cells s takes in the block font at scale k.
func bigWidth(s string, k int) int { return lipgloss.Width(bigText(s)[0]) * k }

// fitBig is s in the block font at the largest scale up to k that fits in
// w cells, as h lines (the text at the top); nil when not even scale 1 fits.
func fitBig(s string, k, w, h int) []string {
	for ; k >= 1; k-- {
		if bigWidth(s, k) <= w {
			lines := bigScaled(s, k)
			for len(lines) < h {
				lines = append(lines, "")
			}
			return lines
		}
	}
	return nil
}

// The wallboard's panel at scale k: the queue's name, the service level
// and its word, the goal, then three labelled figures. The name, goal and
// labels are drawn at half the scale (plain bold text below 2).
//
// The grid is laid out for the widest figures most days bring, so that
// panels keep their size as the figures change; a wider one (a wait of ten
// minutes, a hundred calls waiting, NO CALLS) is drawn smaller.
const (
	boardTemplateSL   = "100%"
	boardTemplateWord = "AT RISK"
)

// boardFigures are the three figures under a panel's service level, in
// order, with the widest value each is laid out for.
var boardFigures = [3]struct{ label, template string }{{"waiting", "88"}, {"longest", "8:88"}, {"available", "88"}}

func minorScale(k int) int { return k / 2 }

// wordScale is the size of the word beside a service level drawn at
// scale k: a size smaller, so that the figure stays the first thing read.
func wordScale(k int) int { return max(1, k-1) }

// minorHeight is the lines a name, goal or label takes at scale k.
func minorHeight(k int) int {
	if m := minorScale(k); m > 0 {
		return 3 * m
	}
	return 1
}

// panelInner is the content a panel needs at scale k, in cells and lines.
func panelInner(k int) (w, h int) {
	figures := 2 * k * (len(boardFigures) - 1) // the gaps between them
	for _, f := range boardFigures {
		figures += bigWidth(f.template, k)
	}
	w = max(bigWidth(boardTemplateSL, k)+2*k+bigWidth(boardTemplateWord, wordScale(k)), figures)
	return w, 3*minorHeight(k) + 6*k
}

// A panel's frame: a rounded border and a cell of padding each side.
const panelFrameW, panelFrameH = 4, 2

// maxScale bounds the search for the scale: its digits are 48 lines tall,
// more than any screen has.
const maxScale = 16

// boardGrid is how the panels are laid out: at scale k, cols × rows of
// them a page.
type boardGrid struct{ k, cols, rows int }

func (g boardGrid) perPage() int { return g.cols * g.rows }

// boardLayout lays n panels out in w × h: every queue on one page at the
// largest scale that allows it (fewest empty places, then more columns,
// breaking ties); when they do not all fit even at scale 1, as many a page
// as fit at scale 1. ok is false when not even one panel fits.
func boardLayout(n, w, h int) (g boardGrid, ok bool) {
	fits := func(k, cols, rows int) bool {
		iw, ih := panelInner(k)
		return iw+panelFrameW <= w/cols && ih+panelFrameH <= h/rows
	}
	empty := func(g boardGrid) int { return g.perPage() - n }
	for cols := 1; cols <= n; cols++ {
		rows := (n + cols - 1) / cols
		k := 0
		for k < maxScale && fits(k+1, cols, rows) {
			k++
		}
		c := boardGrid{k, cols, rows}
		if k > 0 && (!ok || k > g.k || k == g.k && empty(c) <= empty(g)) {
			g, ok = c, true
		}
	}
	if ok {
		return g, true
	}
	iw, ih := panelInner(1)
	g = boardGrid{1, w / (iw + panelFrameW), h / (ih + panelFrameH)}
	return g, g.perPage() > 0
}

// wallboardScreen draws the whole wallboard: a line of context (and the
// banner, when there is something to know before reading any figure), the
// page of panels up now, the line of recognition.
func (m *Model) wallboardScreen(w, h int) string {
	banner := m.banner(w)
	bodyH := h - 2
	if banner != "" {
		bodyH--
	}
	qs := m.report.Queues
	grid, big := boardLayout(len(qs), w, bodyH)
	perPage := bodyH // without room for a panel: a line a queue
	if big {
		perPage = grid.perPage()
	}
	first, page, pages := m.boardPage(len(qs), perPage)
	shown := qs[min(first, len(qs)):min(first+perPage, len(qs))]
	top := m.boardTop(w, page, pages)
	if banner != "" {
		top += "\n" + banner
	}
	var body string
	switch {
	case m.showHelp:
		return fit(top+"\n"+m.fullHelp(w, h-lipgloss.Height(top)), w, h)
	case m.catchingUp():
		body = m.catchUpScreen(w)
	case len(qs) == 0:
		body = m.styles.Muted.Render("No queues yet: the feed has named none.")
	case big:
		body = m.boardPanels(shown, grid, w, bodyH)
	default:
		body = m.boardList(shown, w)
	}
	return fit(top+"\n"+fit(body, w, bodyH)+"\n"+m.boardRecognition(w), w, h)
}

// boardPage is the page of n items, perPage a page, up now: the first
// item's index, the page and how many there are.
func (m *Model) boardPage(n, perPage int) (first, page, pages int) {
	if n == 0 || perPage <= 0 {
		return 0, 0, 1
	}
	pages = (n + perPage - 1) / perPage
	page = max(0, int(m.wall.Sub(m.board.since)/wallRotate)) % pages
	return page * perPage, page, pages
}

// boardTop is the wallboard's line of context: the feed and its state, the
// floor clock, the window, and which page is up.
func (m *Model) boardTop(w, page, pages int) string {
	s := m.styles
	left := s.Title.Render(strings.ToUpper(m.feedName())) + "  " + m.stateText() + "  " +
		s.Bold.Render(clock(m.report.Now.Time)) + "  " + s.Accent.Render("service level "+windowLabel(m.window))
	right := ""
	if m.flash != "" {
		right = s.Accent.Render(m.flash) + "  "
	}
	if pages > 1 {
		right += s.Bold.Render(fmt.Sprintf("page %d/%d", page+1, pages))
	}
	gap := max(1, w-lipgloss.Width(left)-lipgloss.Width(right))
	return ansi.Truncate(left+strings.Repeat(" ", gap)+right, w, "…")
}

// boardPanels lays a page of panels out on the grid.
func (m *Model) boardPanels(qs []floor.QueueReport, g boardGrid, w, h int) string {
	ph := h / g.rows
	rows := make([]string, 0, g.rows)
	for r := 0; r*g.cols < len(qs); r++ {
		cells := make([]string, 0, g.cols)
		for c := range g.cols {
			// The first columns take the cells a division leaves over.
			pw := w/g.cols + btoi(c < w%g.cols)
			if i := r*g.cols + c; i < len(qs) {
				cells = append(cells, m.boardPanel(&qs[i], g.k, pw, ph))
			}
		}
		rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, cells...))
	}
	return strings.Join(rows, "\n")
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// boardPanel draws one queue at scale k in a w × h box, its border in the
// colour of its grade.
func (m *Model) boardPanel(q *floor.QueueReport, k, w, h int) string {
	s := m.styles
	iw, ih := w-panelFrameW, h-panelFrameH
	lvl := boardLevel(q)
	st := s.Level(lvl).Bold(true)
	minor, mh := minorScale(k), minorHeight(k)

	lines := m.boardText(strings.ToUpper(q.Label()), q.Label(), minor, iw, mh, s.Bold)
	sl := bigScaled(boardPct(q.ServiceLevel), k)
	gap := 2 * k
	word := []string{boardWords[lvl]}
	if big := fitBig(boardWords[lvl], wordScale(k), iw-lipgloss.Width(sl[0])-gap, 0); big != nil {
		word = big
	}
	// The word stands on the figure's baseline.
	word = append(make([]string, 3*k-len(word)), word...)
	lines = append(lines, sideBySide(st, sl, gap, word, 3*k)...)
	lines = append(lines, m.boardText("GOAL "+pct0(q.SLTarget)+" IN "+strings.ToUpper(threshold(q.SLThresholdS)),
		"goal "+pct0(q.SLTarget)+" in "+threshold(q.SLThresholdS), minor, iw, mh, s.Label)...)

	waitSt := s.Bold
	if q.Waiting > 0 && q.Available == 0 {
		waitSt = s.Warn.Bold(true)
	}
	values := [3]string{itoa(q.Waiting), durp(q.LongestWaitS), itoa(q.Available)}
	styles := [3]lipgloss.Style{waitSt, s.Level(queueWaitLevel(q)).Bold(true), s.Bold}
	// Each figure gets the width it is laid out for, and a share of what
	// is left; the labels share one size, the largest at which all fit.
	var widths [3]int
	spare := iw
	for i, f := range boardFigures {
		widths[i] = bigWidth(f.template, k)
		spare -= widths[i]
	}
	labelK := minor
	for i, f := range boardFigures {
		widths[i] += spare / len(widths)
		for labelK > 0 && bigWidth(strings.ToUpper(f.label), labelK) > widths[i]-k {
			labelK--
		}
	}
	var cols [3][]string
	for i, f := range boardFigures {
		col := m.boardText(strings.ToUpper(f.label), f.label, labelK, widths[i], mh, s.Label)
		value := fitBig(values[i], k, widths[i], 3*k)
		if value == nil {
			value = []string{values[i]}
		}
		for _, l := range pad(value, 3*k) {
			col = append(col, styles[i].Render(l))
		}
		cols[i] = col
	}
	for row := range cols[0] {
		var b strings.Builder
		for i, col := range cols {
			b.WriteString(center(col[row], widths[i]))
		}
		lines = append(lines, b.String())
	}
	for i, l := range lines {
		lines[i] = center(l, iw)
	}
	top := max(0, (ih-len(lines))/2)
	content := fit(strings.Repeat("\n", top)+strings.Join(lines, "\n"), iw, ih)
	return s.App.Border(lipgloss.RoundedBorder()).BorderForeground(levelColor(lvl)).
		Padding(0, 1).Width(iw + 2).Height(ih).Render(content)
}

// boardText is a name, goal or label: in the block font at scale k when
// it fits in w and the font has all its letters, else as text; h lines.
func (m *Model) boardText(big, text string, k, w, h int, st lipgloss.Style) []string {
	if k > 0 && hasGlyphs(big) {
		if lines := fitBig(big, k, w, h); lines != nil {
			for i, l := range lines {
				lines[i] = st.Render(l)
			}
			return lines
		}
	}
	// As text, in the middle of the lines it stands for.
	return pad(append(make([]string, (h-1)/2), st.Render(ansi.Truncate(text, w, "…"))), h)
}

// hasGlyphs reports whether the block font can write all of s: bigText
// leaves out what it cannot, and a name missing letters would be wrong.
func hasGlyphs(s string) bool {
	for _, r := range s {
		if _, ok := bigGlyphs[r]; !ok {
			return false
		}
	}
	return true
}

// sideBySide puts block b gap cells right of block a, both in st, h lines.
func sideBySide(st lipgloss.Style, a []string, gap int, b []string, h int) []string {
	aw, bw := 0, 0
	for _, l := range a {
		aw = max(aw, lipgloss.Width(l))
	}
	for _, l := range b {
		bw = max(bw, lipgloss.Width(l))
	}
	a, b = pad(a, h), pad(b, h)
	out := make([]string, h)
	for i := range out {
		out[i] = st.Render(padRight(a[i], aw)) + strings.Repeat(" ", gap) + st.Render(padRight(b[i], bw))
	}
	return out
}

// pad makes lines exactly h lines, adding blank ones at the end.
func pad(lines []string, h int) []string {
	for len(lines) < h {
		lines = append(lines, "")
	}
	return lines[:h]
}

func padRight(s string, w int) string { return s + strings.Repeat(" ", max(0, w-lipgloss.Width(s))) }

// center puts s in the middle of w cells.
func center(s string, w int) string {
	left := max(0, (w-lipgloss.Width(s))/2)
	return padRight(strings.Repeat(" ", left)+s, w)
}

// boardPct is a service level in whole percent, rounded down: a level
// under its goal never reads as the goal itself.
func boardPct(v *float64) string {
	if v == nil {
		return dash
	}
	return fmt.Sprintf("%d%%", int(math.Floor(*v*100+1e-9)))
}

// levelColor is a grade's colour, for a panel's border.
func levelColor(l Level) lipgloss.TerminalColor {
	switch l {
	case LevelGood:
		return colGood
	case LevelWarn:
		return colWarn
	case LevelBad:
		return colBad
	}
	return colMuted
}

// queueWaitLevel grades a queue's longest wait: red when its oldest call
// has waited past the answer-time threshold, amber past half of it.
func queueWaitLevel(q *floor.QueueReport) Level {
	if q.LongestWaitS == nil || q.SLThresholdS <= 0 {
		return LevelNone
	}
	switch r := *q.LongestWaitS / q.SLThresholdS; {
	case r >= 1:
		return LevelBad
	case r >= 0.5:
		return LevelWarn
	}
	return LevelGood
}

// boardList is the wallboard on a screen too small for one panel: a line
// a queue, the same figures and words.
func (m *Model) boardList(qs []floor.QueueReport, w int) string {
	s := m.styles
	lines := make([]string, len(qs))
	for i := range qs {
		q := &qs[i]
		lvl := boardLevel(q)
		lines[i] = ansi.Truncate(s.Bold.Render(strings.ToUpper(q.Label()))+"  "+
			s.Level(lvl).Bold(true).Render(boardPct(q.ServiceLevel)+" "+boardWords[lvl])+"  "+
			s.fitItems([]string{
				m.kv("goal", pct0(q.SLTarget), s.Bold),
				m.kv("waiting", itoa(q.Waiting), s.Bold),
				m.kv("longest", durp(q.LongestWaitS), s.Level(queueWaitLevel(q)).Bold(true)),
				m.kv("available", itoa(q.Available), s.Bold),
			}, w), w, "…")
	}
	return strings.Join(lines, "\n")
}

// boardRecognition is the line of recognition: the window's top agents by
// the Recognition view's rule.
func (m *Model) boardRecognition(w int) string {
	s := m.styles
	head := s.Good.Render("★ TOP " + strings.ToUpper(windowLabel(m.window)) + "  ")
	if len(m.leaders) == 0 {
		return ansi.Truncate(head+s.Muted.Render("nobody has handled a call yet"), w, "…")
	}
	names := make([]string, 0, 3)
	for i, a := range m.leaders[:min(3, len(m.leaders))] {
		names = append(names, s.Bold.Render(fmt.Sprintf("%d %s", i+1, a.Label())))
	}
	return ansi.Truncate(head+strings.Join(names, s.Muted.Render("  ·  ")), w, "…")
}
