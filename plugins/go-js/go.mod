module proxywasm.test/gojs

go 1.19
