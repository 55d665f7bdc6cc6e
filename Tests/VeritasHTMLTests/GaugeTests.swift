import Testing
import VeritasHTML

@Suite("Progress bars and meters")
struct GaugeTests {
    @Test("progress, meter and ARIA progress bars are gauges with their figures; hidden ones are not")
    func gaugesAndTheirFigures() throws {
        let page = try HTMLDocument(parsing: """
            <div class="stock"><p>Remaining stock</p><progress value="18" max="100"></progress></div>
            <meter value=" 0.6 "></meter>
            <div role="progressbar" aria-valuenow="86" aria-valuemax="100"></div>
            <div role="meter"></div>
            <progress value="40" style="display:none"></progress>
            <div hidden><meter value="3"></meter></div>
            <div class="bar"></div>
            """)
        #expect(page.gauges.map(\.value) == [18, 0.6, 86, nil])
        #expect(page.gauges.map(\.maximum) == [100, nil, 100, nil])
        // The first bar sits in the box with its label: their ancestors meet at the box.
        let bar = try #require(page.gauges.first)
        let label = try #require(page.segments.first { $0.text == "Remaining stock" })
        #expect(bar.ancestorIndices[0] == bar.elementIndex)
        #expect(bar.ancestorIndices[1] == label.ancestorIndices[1])
    }
}
