import Testing
@testable import PluginKit

@Suite struct SearchIndexTests {
    @Test func everyWordIsAQuotedTermAndTheLastAPrefix() {
        #expect(SearchIndex.matchExpression("purple eleph") == #""purple" "eleph" *"#)
    }

    @Test func quotesAndOperatorsCannotBreakOut() {
        #expect(SearchIndex.matchExpression(#"say "hi" OR (x"#) == #""say" """hi""" "OR" "(x" *"#)
    }

    @Test func blankTextHasNoExpression() {
        #expect(SearchIndex.matchExpression("  \n\t ") == nil)
        #expect(SearchIndex.matchExpression("") == nil)
    }

    @Test func wordsPastTheLimitAreIgnored() {
        let text = (1...40).map { "w\($0)" }.joined(separator: " ")
        let terms = SearchIndex.matchExpression(text)!.split(separator: " ").filter { $0 != "*" }
        #expect(terms.count == SearchIndex.maxQueryWords)
    }

    @Test func schemaKeepsTheIndexInStepWithTheTable() {
        let index = SearchIndex(name: "t_fts", table: "t", rowID: "seq", columns: ["a", "b"])
        #expect(index.schema.contains("CREATE VIRTUAL TABLE t_fts USING fts5(\n    a, b, content = 't', content_rowid = 'seq'"))
        for trigger in ["t_fts_insert AFTER INSERT", "t_fts_delete AFTER DELETE", "t_fts_update AFTER UPDATE"] {
            #expect(index.schema.contains("CREATE TRIGGER \(trigger) ON t"))
        }
        #expect(index.source(alias: "x") == "t_fts CROSS JOIN t x ON x.seq = t_fts.rowid")
        #expect(index.match == "t_fts MATCH ?")
    }
}
