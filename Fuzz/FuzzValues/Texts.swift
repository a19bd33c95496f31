import BangfuKit
import FuzzSupport

/// Text hygiene, formula guarding, trimming and the vocabularies read from cells.
enum Texts {
    static func check(_ text: String) {
        let cleaned = TextHygiene.cleaned(text)
        expect(TextHygiene.isClean(cleaned), "cleaned text still holds a forbidden character")
        expect((cleaned == text) == TextHygiene.isClean(text), "cleaning changed clean text, or kept unclean text")
        formulas(text)
        let trimmed = text.trimmed
        expect(trimmed.trimmed == trimmed, "trimming twice differs from once")
        _ = (Mask.name(text), Mask.phone(text), SellerName.isOrganisation(text))
        _ = (SupplyMethod(codeOrName: text), PurchasePurpose.guess(from: text), ProductCategory.guess(for: text))
        _ = (SearchTerms.of(text), SearchTerms.query(text))
    }

    /// An import of an exported cell gives back what was exported (the promise in `FormulaGuard`'s comment).
    static func formulas(_ text: String) {
        let guarded = FormulaGuard.neutralised(text), back = FormulaGuard.restored(guarded)
        expect(back == text, "\(text.debugDescription) exported as \(guarded.debugDescription), "
               + "imported as \(back.debugDescription)")
    }
}
