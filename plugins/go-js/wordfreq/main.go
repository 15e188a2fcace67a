// Word frequencies over a generated text: string splitting, maps, sorting and formatting, the
// library code that makes Go's compiler emit its largest functions.
package main

import (
	"sort"
	"strconv"
	"strings"
	"unicode"
)

var words = []string{
	"proxy", "wasm", "header", "Request", "response", "body", "trailer", "metadata",
	"context", "root", "stream", "tick", "queue", "shared", "data", "callout",
	"Envoy", "filter", "plugin", "vm", "configure", "log", "done", "delete",
}

type entry struct {
	word  string
	count int
	first int
}

func main() {
	var b strings.Builder
	seed := uint32(7)
	for i := 0; i < 4000; i++ {
		seed = seed*1103515245 + 12345
		w := words[(seed>>8)%uint32(len(words))]
		if seed&0x300 == 0 {
			w = strings.ToUpper(w)
		}
		b.WriteString(w)
		switch seed & 0x7 {
		case 0:
			b.WriteString(", ")
		case 1:
			b.WriteString(".\n")
		default:
			b.WriteByte(' ')
		}
	}
	text := b.String()
	counts := map[string]*entry{}
	for i, f := range strings.FieldsFunc(text, func(r rune) bool {
		return !unicode.IsLetter(r)
	}) {
		key := strings.ToLower(f)
		e, ok := counts[key]
		if !ok {
			e = &entry{word: key, first: i}
			counts[key] = e
		}
		e.count++
	}
	list := make([]*entry, 0, len(counts))
	for _, e := range counts {
		list = append(list, e)
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].count != list[j].count {
			return list[i].count > list[j].count
		}
		return list[i].word < list[j].word
	})
	var out strings.Builder
	for i, e := range list {
		if i == 8 {
			break
		}
		out.WriteString(e.word)
		out.WriteByte('=')
		out.WriteString(strconv.Itoa(e.count))
		out.WriteByte('@')
		out.WriteString(strconv.Quote(strconv.Itoa(e.first)))
		out.WriteByte(' ')
	}
	out.WriteString("lines=")
	out.WriteString(strconv.Itoa(strings.Count(text, "\n")))
	println(out.String())
}
