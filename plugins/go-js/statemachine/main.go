// A tokenizer and evaluator written as one big state machine: the Go compiler turns the
// switch into one large wasm function that keeps values on the operand stack across blocks.
package main

import "strconv"

type state int

const (
	start state = iota
	number
	ident
	op
	space
	comment
	str
	escape
	done
)

type machine struct {
	state  state
	acc    int64
	stack  []int64
	vars   map[string]int64
	name   []byte
	text   []byte
	tokens int
	errors int
}

func (m *machine) step(c byte) {
	switch m.state {
	case start, space:
		switch {
		case c >= '0' && c <= '9':
			m.state = number
			m.acc = int64(c - '0')
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_':
			m.state = ident
			m.name = append(m.name[:0], c)
		case c == '#':
			m.state = comment
		case c == '"':
			m.state = str
			m.text = m.text[:0]
		case c == ' ' || c == '\t' || c == '\n':
			m.state = space
		case c == '+' || c == '-' || c == '*' || c == '/' || c == '%' || c == '^' || c == '=':
			m.apply(c)
			m.state = op
		default:
			m.errors++
		}
	case number:
		if c >= '0' && c <= '9' {
			m.acc = m.acc*10 + int64(c-'0')
		} else {
			m.stack = append(m.stack, m.acc)
			m.tokens++
			m.state = start
			m.step(c)
		}
	case ident:
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c >= '0' && c <= '9' {
			m.name = append(m.name, c)
		} else {
			v, ok := m.vars[string(m.name)]
			if !ok {
				v = int64(len(m.name)) * 7
				m.vars[string(m.name)] = v
			}
			m.stack = append(m.stack, v)
			m.tokens++
			m.state = start
			m.step(c)
		}
	case op:
		m.tokens++
		m.state = start
		m.step(c)
	case comment:
		if c == '\n' {
			m.state = start
		}
	case str:
		switch c {
		case '\\':
			m.state = escape
		case '"':
			m.stack = append(m.stack, int64(len(m.text)))
			m.vars[string(m.text)] = int64(len(m.stack))
			m.tokens++
			m.state = start
		default:
			m.text = append(m.text, c)
		}
	case escape:
		switch c {
		case 'n':
			m.text = append(m.text, '\n')
		case 't':
			m.text = append(m.text, '\t')
		default:
			m.text = append(m.text, c)
		}
		m.state = str
	}
}

func (m *machine) pop() int64 {
	if len(m.stack) == 0 {
		m.errors++
		return 0
	}
	v := m.stack[len(m.stack)-1]
	m.stack = m.stack[:len(m.stack)-1]
	return v
}

func (m *machine) apply(c byte) {
	b, a := m.pop(), m.pop()
	var r int64
	switch c {
	case '+':
		r = a + b
	case '-':
		r = a - b
	case '*':
		r = a * b
	case '/':
		if b == 0 {
			m.errors++
		} else {
			r = a / b
		}
	case '%':
		if b == 0 {
			m.errors++
		} else {
			r = a % b
		}
	case '^':
		r = a ^ b
	case '=':
		if a == b {
			r = 1
		}
	}
	m.stack = append(m.stack, r)
}

func main() {
	m := &machine{vars: map[string]int64{}}
	program := "12 34 + # sum\n abc 7 * \"q\\tx\" 99 % foo_1 bar - ^ 5 5 = 1000 7 / "
	for round := 0; round < 50; round++ {
		for i := 0; i < len(program); i++ {
			m.step(program[i])
		}
		m.step('\n')
	}
	out := []byte("tokens=")
	out = strconv.AppendInt(out, int64(m.tokens), 10)
	out = append(out, " errors="...)
	out = strconv.AppendInt(out, int64(m.errors), 10)
	out = append(out, " depth="...)
	out = strconv.AppendInt(out, int64(len(m.stack)), 10)
	var sum int64
	for _, v := range m.stack {
		sum = sum*31 + v
	}
	out = append(out, " sum="...)
	out = strconv.AppendInt(out, sum, 10)
	out = append(out, " vars="...)
	out = strconv.AppendInt(out, int64(len(m.vars)), 10)
	// println writes through runtime.wasmWrite, the one output import a host must provide
	println(string(out))
}
