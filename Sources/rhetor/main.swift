import Rhetor
let t = Tokenizer().tokenize("Don't say “bizarre and THREATENING” !!! Russia’s ministries’ 😀👍🏽 well-known @USER http://x.co 3,000 \u{FF}ok")
for x in t { print(x.kind, x.charStart, x.charEnd, x.flags.rawValue) }
