import Testing
import VeritasHTML

@Suite("Forms, controls, labels and buttons")
struct FormTests {
    @Test func inputsCarryStateAndLabels() throws {
        let page = try HTMLDocument(parsing: """
            <form action="/cart" method="POST" id="cart">
              <label><input type="checkbox" name="protect" value="1" checked> Add shipping protection ($4.99)</label>
              <input type="checkbox" id="news" name="news"><label for="news">Email me <em>offers</em></label>
              <label for="email">Email</label><input type="email" id="email" name="email" required>
              <input type="hidden" name="csrf" value="t0k3n">
              <input name="promo" disabled>
              <select name="size"><option value="s">Small</option><option value="m" selected>Medium</option></select>
              <select name="qty"><option>1</option><option>2</option></select>
            </form>
            """)
        #expect(page.forms.count == 1)
        let form = try #require(page.forms.first)
        #expect(form.action == "/cart")
        #expect(form.method == "post")
        #expect(form.id == "cart")
        #expect(form.inputs.map(\.type) == ["checkbox", "checkbox", "email", "hidden", "text", "select", "select"])

        let protect = form.inputs[0]
        #expect(protect.isChecked)
        #expect(protect.value == "1")
        #expect(protect.label == "Add shipping protection ($4.99)")
        #expect(form.inputs[1].isChecked == false)
        #expect(form.inputs[1].label == "Email me offers")
        #expect(form.inputs[2].isRequired)
        #expect(form.inputs[2].label == "Email")
        #expect(form.inputs[3].value == "t0k3n")
        #expect(form.inputs[3].label == nil)
        #expect(form.inputs[4].isDisabled)
        #expect(form.inputs[5].value == "m")
        #expect(form.inputs[6].value == "1")
        #expect(form.inputs.allSatisfy { $0.formIndex == 0 })
    }

    @Test func labelForBeatsWrapping() throws {
        let page = try HTMLDocument(parsing: """
            <label for="b"><input type="checkbox" id="a"> About B</label><input type="checkbox" id="b" checked>
            """)
        #expect(page.inputs.map(\.label) == [nil, "About B"])
        #expect(page.segments.first?.role == .checkbox(checked: true))
    }

    @Test func controlsOutsideFormsAreListed() throws {
        let page = try HTMLDocument(parsing: #"<input type="radio" name="plan" checked><form><input name="q"></form>"#)
        #expect(page.inputs.map(\.formIndex) == [nil, 0])
        #expect(page.forms.first?.inputs.map(\.name) == ["q"])
    }

    @Test func nestedFormsAreSplitLikeBrowsersDo() throws {
        let page = try HTMLDocument(parsing: """
            <form action="/outer"><input name="a"><form action="/inner"><input name="b"></form><input name="c"></form>
            """)
        // libxml2 closes the outer form at the inner <form> (browsers would ignore the inner tag):
        // "c" follows the inner form's end and so belongs to none.
        #expect(page.forms.map(\.action) == ["/outer", "/inner"])
        #expect(page.forms.map { $0.inputs.map(\.name) } == [["a"], ["b"]])
        #expect(page.inputs.map(\.name) == ["a", "b", "c"])
        #expect(page.inputs.map(\.formIndex) == [0, 1, nil])
    }

    @Test func buttonsReportTextTypeAndClasses() throws {
        let page = try HTMLDocument(parsing: """
            <form><button class="btn btn-primary">Accept <strong>all</strong></button>
            <button type="button" class="reject" disabled>Reject</button>
            <input type="submit" value="Pay now"><input type="reset"></form>
            <div role="button" class="x" id="fake">Close</div>
            """)
        #expect(page.buttons.map(\.text) == ["Accept all", "Reject", "Pay now", "Reset", "Close"])
        #expect(page.buttons.map(\.type) == ["submit", "button", "submit", "reset", "button"])
        #expect(page.buttons[0].classes == ["btn", "btn-primary"])
        #expect(page.buttons[1].isDisabled)
        #expect(page.buttons.map(\.formIndex) == [0, 0, 0, 0, nil])
        #expect(page.buttons[4].id == "fake")
        // The submit input's caption is visible text with the button role.
        #expect(page.segments.filter { $0.role == .button }.map(\.text) == ["Accept", "all", "Reject", "Pay now", "Reset", "Close"])
    }
}
