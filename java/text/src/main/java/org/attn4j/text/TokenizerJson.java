package org.attn4j.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads the parts of a HuggingFace tokenizer.json that the BERT WordPiece kind has, and rejects
 * every other kind (BPE, Unigram, other normalizers and pre-tokenizers) with a message that
 * names the field and what it holds.
 */
final class TokenizerJson {
    private TokenizerJson() {
    }

    static BertTokenizer read(Map<String, Object> root, String name) {
        Map<String, Object> model = BertTokenizer.map(root.get("model"), name + " model");
        String type = string(model, "type", name + " model", null);
        if (type != null && !type.equals("WordPiece")) {
            throw new TokenizerFormatException(name + " model.type: expected WordPiece (a BERT tokenizer), got " + type);
        }
        if (!(model.get("vocab") instanceof Map)) {
            throw new TokenizerFormatException(name + " model.vocab: expected an object of token → id, got "
                    + BertTokenizer.describe(model.get("vocab")));
        }
        WordPiece wordPiece = new WordPiece(BertTokenizer.vocab(BertTokenizer.map(model.get("vocab"), ""), name + " model.vocab"),
                string(model, "unk_token", name + " model", "[UNK]"),
                string(model, "continuing_subword_prefix", name + " model", "##"),
                integer(model, "max_input_chars_per_word", name + " model", 100));

        BertNormalizer normalizer = normalizer(root.get("normalizer"), name);
        Object pre = root.get("pre_tokenizer");
        String preType = pre == null ? null : string(BertTokenizer.map(pre, name + " pre_tokenizer"), "type", name + " pre_tokenizer", null);
        if (!"BertPreTokenizer".equals(preType)) {
            throw new TokenizerFormatException(name + " pre_tokenizer.type: expected BertPreTokenizer, got " + preType);
        }
        AddedTokens added = addedTokens(root.get("added_tokens"), name);
        PostProcessor post = postProcessor(root.get("post_processor"), wordPiece, name);
        Truncation truncation = truncation(root.get("truncation"), name);
        int padId = wordPiece.vocab.getOrDefault("[PAD]", 0);
        if (root.get("padding") instanceof Map<?, ?> padding && padding.get("pad_id") instanceof Long id) {
            padId = id.intValue();
        }
        return BertTokenizer.create(normalizer, wordPiece, added, post, truncation, padId);
    }

    private static BertNormalizer normalizer(Object o, String name) {
        if (o == null) {
            throw new TokenizerFormatException(name + " normalizer: expected a BertNormalizer, got null");
        }
        Map<String, Object> n = BertTokenizer.map(o, name + " normalizer");
        String type = string(n, "type", name + " normalizer", null);
        if (!"BertNormalizer".equals(type)) {
            throw new TokenizerFormatException(name + " normalizer.type: expected BertNormalizer, got " + type);
        }
        Object strip = n.get("strip_accents");
        if (strip != null && !(strip instanceof Boolean)) {
            throw new TokenizerFormatException(name + " normalizer.strip_accents: expected true, false or null, got "
                    + BertTokenizer.describe(strip));
        }
        return new BertNormalizer(bool(n, "clean_text", name + " normalizer", true),
                bool(n, "handle_chinese_chars", name + " normalizer", true), (Boolean) strip,
                bool(n, "lowercase", name + " normalizer", true));
    }

    private static AddedTokens addedTokens(Object o, String name) {
        List<AddedTokens.Token> tokens = new ArrayList<>();
        if (o == null) {
            return new AddedTokens(tokens);
        }
        if (!(o instanceof List<?> list)) {
            throw new TokenizerFormatException(name + " added_tokens: expected an array, got " + BertTokenizer.describe(o));
        }
        for (int i = 0; i < list.size(); i++) {
            String where = name + " added_tokens[" + i + "]";
            Map<String, Object> t = BertTokenizer.map(list.get(i), where);
            tokens.add(new AddedTokens.Token(string(t, "content", where, null), integer(t, "id", where, null),
                    bool(t, "single_word", where, false), bool(t, "lstrip", where, false), bool(t, "rstrip", where, false),
                    bool(t, "normalized", where, false)));
        }
        return new AddedTokens(tokens);
    }

    private static PostProcessor postProcessor(Object o, WordPiece model, String name) {
        if (o == null) {
            return PostProcessor.none();
        }
        String where = name + " post_processor";
        Map<String, Object> p = BertTokenizer.map(o, where);
        String type = string(p, "type", where, null);
        if ("BertProcessing".equals(type)) {
            PostProcessor.Item cls = pairItem(p.get("cls"), where + ".cls");
            PostProcessor.Item sep = pairItem(p.get("sep"), where + ".sep");
            PostProcessor.Item sep1 = new PostProcessor.Item(sep.ids(), sep.tokens(), -1, 1);
            return new PostProcessor(List.of(cls, seq(0, 0), sep),
                    List.of(cls, seq(0, 0), sep, seq(1, 1), sep1));
        }
        if (!"TemplateProcessing".equals(type)) {
            throw new TokenizerFormatException(where + ".type: expected TemplateProcessing or BertProcessing, got " + type);
        }
        Map<String, Object> specials = BertTokenizer.map(p.getOrDefault("special_tokens", Map.of()), where + ".special_tokens");
        return new PostProcessor(template(p.get("single"), specials, where + ".single"),
                template(p.get("pair"), specials, where + ".pair"));
    }

    private static PostProcessor.Item seq(int sequence, int typeId) {
        return new PostProcessor.Item(null, null, sequence, typeId);
    }

    // BertProcessing's ["[CLS]", 101]
    private static PostProcessor.Item pairItem(Object o, String where) {
        if (!(o instanceof List<?> l) || l.size() != 2 || !(l.get(0) instanceof String token) || !(l.get(1) instanceof Long id)) {
            throw new TokenizerFormatException(where + ": expected [token, id], got " + BertTokenizer.describe(o));
        }
        return new PostProcessor.Item(new int[] {id.intValue()}, new String[] {token}, -1, 0);
    }

    private static List<PostProcessor.Item> template(Object o, Map<String, Object> specials, String where) {
        if (!(o instanceof List<?> list)) {
            throw new TokenizerFormatException(where + ": expected an array of template items, got " + BertTokenizer.describe(o));
        }
        List<PostProcessor.Item> items = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String at = where + "[" + i + "]";
            Map<String, Object> item = BertTokenizer.map(list.get(i), at);
            if (item.get("SpecialToken") != null) {
                Map<String, Object> s = BertTokenizer.map(item.get("SpecialToken"), at + ".SpecialToken");
                String id = string(s, "id", at + ".SpecialToken", null);
                Map<String, Object> spec = BertTokenizer.map(specials.get(id), where.replaceAll("\\.(single|pair)$", "")
                        + ".special_tokens[\"" + id + "\"]");
                List<?> ids = spec.get("ids") instanceof List<?> l ? l : List.of();
                List<?> tokens = spec.get("tokens") instanceof List<?> l ? l : List.of();
                if (ids.isEmpty() || ids.size() != tokens.size()) {
                    throw new TokenizerFormatException(at + ": special token " + id + " needs equal, non-empty ids and tokens");
                }
                int[] idArray = new int[ids.size()];
                String[] tokenArray = new String[ids.size()];
                for (int k = 0; k < idArray.length; k++) {
                    if (!(ids.get(k) instanceof Long v) || !(tokens.get(k) instanceof String t)) {
                        throw new TokenizerFormatException(at + ": special token " + id + " has a non-integer id or non-string token");
                    }
                    idArray[k] = v.intValue();
                    tokenArray[k] = t;
                }
                items.add(new PostProcessor.Item(idArray, tokenArray, -1, integer(s, "type_id", at, 0)));
            } else if (item.get("Sequence") != null) {
                Map<String, Object> s = BertTokenizer.map(item.get("Sequence"), at + ".Sequence");
                String id = string(s, "id", at + ".Sequence", null);
                if (!id.equals("A") && !id.equals("B")) {
                    throw new TokenizerFormatException(at + ".Sequence.id: expected A or B, got " + id);
                }
                items.add(seq(id.equals("A") ? 0 : 1, integer(s, "type_id", at, 0)));
            } else {
                throw new TokenizerFormatException(at + ": expected SpecialToken or Sequence, got " + item.keySet());
            }
        }
        return items;
    }

    private static Truncation truncation(Object o, String name) {
        if (o == null) {
            return null;
        }
        String where = name + " truncation";
        Map<String, Object> t = BertTokenizer.map(o, where);
        int max = integer(t, "max_length", where, null);
        if (max < 1) {
            throw new TokenizerFormatException(where + ".max_length: expected a positive length, got " + max);
        }
        String strategy = string(t, "strategy", where, "LongestFirst");
        Truncation.Strategy s = switch (strategy) {
            case "LongestFirst" -> Truncation.Strategy.LONGEST_FIRST;
            case "OnlyFirst" -> Truncation.Strategy.ONLY_FIRST;
            case "OnlySecond" -> Truncation.Strategy.ONLY_SECOND;
            default -> throw new TokenizerFormatException(where + ".strategy: expected LongestFirst, OnlyFirst or OnlySecond, got "
                    + strategy);
        };
        String direction = string(t, "direction", where, "Right");
        if (!direction.equals("Right") && !direction.equals("Left")) {
            throw new TokenizerFormatException(where + ".direction: expected Right or Left, got " + direction);
        }
        return new Truncation(max, s, direction.equals("Left"));
    }

    static String string(Map<String, Object> m, String key, String where, String dflt) {
        Object v = m.get(key);
        if (v == null) {
            if (dflt == null && !m.containsKey(key) && !key.equals("type")) {
                throw new TokenizerFormatException(where + "." + key + ": missing");
            }
            return dflt;
        }
        if (!(v instanceof String s)) {
            throw new TokenizerFormatException(where + "." + key + ": expected a string, got " + BertTokenizer.describe(v));
        }
        return s;
    }

    static int integer(Map<String, Object> m, String key, String where, Integer dflt) {
        Object v = m.get(key);
        if (v == null) {
            if (dflt == null) {
                throw new TokenizerFormatException(where + "." + key + ": missing");
            }
            return dflt;
        }
        if (!(v instanceof Long l) || l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) {
            throw new TokenizerFormatException(where + "." + key + ": expected an integer, got " + BertTokenizer.describe(v));
        }
        return l.intValue();
    }

    static boolean bool(Map<String, Object> m, String key, String where, boolean dflt) {
        Object v = m.get(key);
        if (v == null) {
            return dflt;
        }
        if (!(v instanceof Boolean b)) {
            throw new TokenizerFormatException(where + "." + key + ": expected true or false, got " + BertTokenizer.describe(v));
        }
        return b;
    }
}
