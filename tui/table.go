package tui

import (
	"sort"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

// column describes one table column and how it gives way on a narrow screen.
type column struct {
	title string
	// prio: 0 is never dropped; the highest number goes first when the
	// columns do not fit.
	prio  int
	right bool // figures align right
	// flex columns (names, comments) shrink to least (0: minFlex) before
	// any column is dropped, and are cut with an ellipsis.
	flex  bool
	least int
}

// narrowest is how narrow a flexible column may get.
func (c column) narrowest() int {
	if c.least > 0 {
		return c.least
	}
	return minFlex
}

// minFlex is how narrow a flexible column may get.
const minFlex = 10

// cell is one table cell: plain text plus the style that colours it. Text
// never carries escape codes: lipgloss/table measures and cuts it, then the
// style colours it.
type cell struct {
	text  string
	style *lipgloss.Style
}

// txt is an uncoloured cell.
func txt(s string) cell { return cell{text: s} }

// styled is a coloured cell.
func styled(s string, st lipgloss.Style) cell { return cell{text: s, style: &st} }

// tableSpec is a table to draw into a box of width × height.
type tableSpec struct {
	cols   []column
	rows   [][]cell
	width  int
	height int // lines, header included
	offset int // first row shown
	cursor int // selected row, -1 for none
}

// fitColumns picks the columns that fit in width and their widths, dropping
// by priority and shrinking flexible columns first.
func fitColumns(cols []column, rows [][]cell, width int) (keep []int, widths []int) {
	natural := make([]int, len(cols))
	for c, col := range cols {
		natural[c] = lipgloss.Width(col.title)
		for _, r := range rows {
			if w := lipgloss.Width(r[c].text); w > natural[c] {
				natural[c] = w
			}
		}
	}
	// The first column (never dropped) carries the cursor mark.
	natural[0]++
	keep = make([]int, len(cols))
	for i := range keep {
		keep[i] = i
	}
	// A cell is its text plus one space of padding.
	total := func() int {
		t := 0
		for _, c := range keep {
			w := natural[c]
			if cols[c].flex && w > cols[c].narrowest() {
				w = cols[c].narrowest()
			}
			t += w + 1
		}
		return t
	}
	order := make([]int, len(cols))
	copy(order, keep)
	sort.SliceStable(order, func(i, j int) bool { return cols[order[i]].prio > cols[order[j]].prio })
	for _, c := range order {
		if total() <= width || cols[c].prio == 0 {
			break
		}
		for i, k := range keep {
			if k == c {
				keep = append(keep[:i], keep[i+1:]...)
				break
			}
		}
	}
	// Widths: fixed columns at their natural width, the flexible ones at
	// their narrowest first, then sharing what is left up to their natural
	// width, the least wanting first so that what one leaves goes to the
	// others.
	widths = make([]int, len(keep))
	left := width
	var flex []int // positions in keep
	for i, c := range keep {
		widths[i] = natural[c] + 1
		if cols[c].flex {
			widths[i] = min(natural[c], cols[c].narrowest()) + 1
			flex = append(flex, i)
		}
		left -= widths[i]
	}
	want := func(i int) int { return natural[keep[i]] + 1 - widths[i] }
	sort.SliceStable(flex, func(a, b int) bool { return want(flex[a]) < want(flex[b]) })
	for n, i := range flex {
		give := min(want(i), max(0, left)/(len(flex)-n))
		widths[i] += give
		left -= give
	}
	return keep, widths
}

// laidTable is a table cut to its columns: the header's and the rows'
// text, each cell padded to its column's width by its style.
type laidTable struct {
	headers []string
	data    [][]string
	header  func(col int) lipgloss.Style
	style   func(row, col int) lipgloss.Style
}

// layout cuts the table to the rows from offset that fit and the columns
// that fit the width; ok is false when no row or no column fits.
func (s Styles) layout(t tableSpec) (l laidTable, ok bool) {
	if t.height < 1 || t.width < 1 {
		return l, false
	}
	end := min(len(t.rows), t.offset+t.height-1)
	start := min(max(t.offset, 0), end)
	visible := t.rows[start:end]
	keep, widths := fitColumns(t.cols, visible, t.width)
	if len(keep) == 0 {
		return l, false
	}

	// Each cell carries its own trailing space as the gap to the next
	// column, and cell styles are inline: lipgloss then pads and aligns the
	// one line without word-wrapping it, which is most of a cell's cost.
	l.headers = make([]string, len(keep))
	for i, c := range keep {
		l.headers[i] = ansi.Truncate(t.cols[c].title, widths[i]-1, "…") + " "
	}
	// The cursor's row is marked in text too: without colour (NO_COLOR)
	// the highlight alone would not show.
	if len(keep) > 0 {
		l.headers[0] = " " + ansi.Truncate(t.cols[keep[0]].title, widths[0]-2, "…") + " "
	}
	l.data = make([][]string, len(visible))
	for r, row := range visible {
		out := make([]string, len(keep))
		for i, c := range keep {
			w := widths[i] - 1
			mark := ""
			if i == 0 {
				mark, w = " ", w-1
				if start+r == t.cursor {
					mark = "›"
				}
			}
			out[i] = mark + ansi.Truncate(row[c].text, w, "…") + " "
		}
		l.data[r] = out
	}
	// The styles of plain cells, per column: header, body, body selected.
	plain := make([][3]lipgloss.Style, len(keep))
	for i, c := range keep {
		align := lipgloss.Left
		if t.cols[c].right {
			align = lipgloss.Right
		}
		plain[i][0] = s.Header.Inline(true).Width(widths[i]).Align(align)
		plain[i][1] = s.Cell.Inline(true).Width(widths[i]).Align(align)
		plain[i][2] = s.Cell.Inherit(s.Selected).Inline(true).Width(widths[i]).Align(align)
	}
	l.header = func(col int) lipgloss.Style { return plain[col][0] }
	l.style = func(row, col int) lipgloss.Style {
		selected := start+row == t.cursor
		cs := visible[row][keep[col]].style
		switch {
		case cs == nil && selected:
			return plain[col][2]
		case cs == nil:
			return plain[col][1]
		}
		st := *cs
		if selected {
			st = st.Inherit(s.Selected)
		}
		return st.Inline(true).Width(widths[col]).Align(plain[col][1].GetAlignHorizontal())
	}
	return l, true
}

// render draws the table: its header and the rows from offset that fit,
// the cursor's row highlighted. Every cell is one inline line of its
// column's width, so a row is its cells side by side: what lipgloss's
// table draws with every border off (table_ref_test.go), at a fraction of
// its cost, which was most of a frame's.
func (s Styles) render(t tableSpec) string {
	l, ok := s.layout(t)
	if !ok {
		return ""
	}
	var b strings.Builder
	for i, h := range l.headers {
		b.WriteString(l.header(i).Render(h))
	}
	for r, row := range l.data {
		b.WriteByte('\n')
		for i, c := range row {
			b.WriteString(l.style(r, i).Render(c))
		}
	}
	return b.String()
}
