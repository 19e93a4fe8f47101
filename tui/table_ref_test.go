package tui

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/lipgloss/table"
	"github.com/muesli/termenv"
)

// renderRef is how render drew a table before it set cells side by side
// itself: lipgloss's table with every border off. Kept as the oracle that
// the faster way draws the same bytes.
func (s Styles) renderRef(t tableSpec) string {
	l, ok := s.layout(t)
	if !ok {
		return ""
	}
	return table.New().
		Border(lipgloss.HiddenBorder()).
		BorderTop(false).BorderBottom(false).BorderLeft(false).BorderRight(false).
		BorderHeader(false).BorderColumn(false).
		Headers(l.headers...).
		Rows(l.data...).
		StyleFunc(func(row, col int) lipgloss.Style {
			if row == table.HeaderRow {
				return l.header(col)
			}
			return l.style(row, col)
		}).String()
}

// Random tables, in every colour profile, at widths from too narrow to
// wide, with styled and wide (CJK, emoji) cells and the cursor anywhere:
// the bytes are lipgloss's table's.
func TestTableMatchesLipglossTable(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	words := []string{"", "Ana", "Support", "92.0%", "0:14", "–", "张伟", "✓", "Ben Okafor-Smith", "1,234", "aux lunch 45:00", "🙂 ok"}
	for _, profile := range []termenv.Profile{termenv.Ascii, termenv.ANSI, termenv.ANSI256, termenv.TrueColor} {
		r := lipgloss.NewRenderer(nil)
		r.SetColorProfile(profile)
		r.SetHasDarkBackground(true)
		s := NewStyles(r)
		cellStyles := []*lipgloss.Style{nil, nil, &s.Good, &s.Bad, &s.Warn, &s.Muted, &s.Bold}
		for n := range 300 {
			ncols := 1 + rnd.IntN(8)
			cols := make([]column, ncols)
			for i := range cols {
				cols[i] = column{title: fmt.Sprintf("COL%d", i), right: rnd.IntN(2) == 0, prio: rnd.IntN(4),
					flex: rnd.IntN(3) == 0, least: rnd.IntN(6)}
			}
			rows := make([][]cell, rnd.IntN(12))
			for r := range rows {
				rows[r] = make([]cell, ncols)
				for c := range rows[r] {
					rows[r][c] = cell{text: words[rnd.IntN(len(words))], style: cellStyles[rnd.IntN(len(cellStyles))]}
				}
			}
			spec := tableSpec{cols: cols, rows: rows, width: 1 + rnd.IntN(160), height: rnd.IntN(14),
				offset: rnd.IntN(3), cursor: rnd.IntN(14) - 1}
			if got, want := s.render(spec), s.renderRef(spec); got != want {
				t.Fatalf("profile %v, table %d (%+v):\n got %q\nwant %q", profile, n, spec, got, want)
			}
		}
	}
}
