import PyLLM
import Testing

@Suite struct CodeExtractionTests {
    @Test func takesTheFirstPythonBlockOverOtherBlocks() {
        let answer = "Here:\n```bash\nls\n```\nand\n```python\nprint(1)\nprint(2)\n```\n```python\nprint(3)\n```"
        #expect(CodeExtraction.python(from: answer) == "print(1)\nprint(2)")
    }

    @Test func fallsBackToAnyBlockThenToTheWholeAnswer() {
        #expect(CodeExtraction.python(from: "x\n```\nprint(4)\n```") == "print(4)")
        #expect(CodeExtraction.python(from: "  print(5)\n") == "print(5)")
        #expect(CodeExtraction.python(from: "```py\nprint(6)") == "print(6)")
    }

    @Test func fixPromptsEscalate() {
        #expect(FixPrompt(code: "x", error: "NameError: x", attempt: 1).kind == .fix)
        #expect(FixPrompt(code: "x", error: "ModuleNotFoundError: No module named 'numpyy'", attempt: 2).kind
                == .importFocused)
        #expect(FixPrompt(code: "x", error: "  File \"a\", line 1\nSyntaxError: invalid syntax", attempt: 2).kind
                == .syntaxFocused)
        #expect(FixPrompt(code: "x", error: "ZeroDivisionError", attempt: 2).kind == .differentApproach)
        #expect(FixPrompt(code: "x", error: "NameError", attempt: 3).kind == .standardLibraryRewrite)
        #expect(FixPrompt(code: "x", error: "wrong sum", attempt: 1, isLogicError: true).text
                .contains("does not do what it should"))
    }

    @Test func everyTemplateAsksForOnePythonBlockAndCarriesTheTask() {
        for template in CodeTemplate.allCases {
            let prompt = template.prompt(task: "sum a list", dependencies: ["numpy"])
            #expect(prompt.contains("sum a list"))
            #expect(prompt.contains("```python"))
        }
        #expect(CodeTemplate.dependencyAware.prompt(task: "t", dependencies: ["numpy"]).contains("numpy"))
    }
}
