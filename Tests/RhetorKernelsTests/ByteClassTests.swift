import Testing
@testable import _RhetorKernels

@Suite struct ByteClassTests {
    @Test func tableMatchesReferenceForEveryByte() {
        for b in 0...255 {
            #expect(ByteClass.table[b] == ByteClass.classify(UInt8(b)), "byte \(b)")
        }
    }

    @Test func representativeClasses() {
        #expect(ByteClass.classify(UInt8(ascii: " ")) == .space)
        #expect(ByteClass.classify(UInt8(ascii: "Q")) == .upper)
        #expect(ByteClass.classify(UInt8(ascii: "q")) == .lower)
        #expect(ByteClass.classify(UInt8(ascii: "7")) == .digit)
        #expect(ByteClass.classify(UInt8(ascii: "'")) == .apostrophe)
        #expect(ByteClass.classify(UInt8(ascii: "!")) == .bang)
        #expect(ByteClass.classify(UInt8(ascii: ",")) == .punct)
        #expect(ByteClass.classify(0xE2) == .nonASCII)
        #expect(ByteClass.classify(0x07) == .control)
    }
}
