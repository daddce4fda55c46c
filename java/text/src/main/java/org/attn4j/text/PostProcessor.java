package org.attn4j.text;

import java.util.ArrayList;
import java.util.List;

/**
 * The special tokens around a text or a pair: HuggingFace's TemplateProcessing (BertProcessing
 * is the template [CLS] $A [SEP] / [CLS] $A [SEP] $B:1 [SEP]:1). A missing post-processor adds
 * nothing.
 */
final class PostProcessor {
    /** One template item: a special token's ids, or sequence A (0) / B (1), with its type id. */
    record Item(int[] ids, String[] tokens, int sequence, int typeId) {
        boolean special() {
            return sequence < 0;
        }
    }

    private final List<Item> single;
    private final List<Item> pair;

    PostProcessor(List<Item> single, List<Item> pair) {
        this.single = List.copyOf(single);
        this.pair = List.copyOf(pair);
    }

    static PostProcessor none() {
        return new PostProcessor(List.of(new Item(null, null, 0, 0)), List.of(new Item(null, null, 0, 0), new Item(null, null, 1, 1)));
    }

    /** The number of special tokens the template adds to one text (pair false) or a pair. */
    int added(boolean forPair) {
        int n = 0;
        for (Item it : forPair ? pair : single) {
            if (it.special()) {
                n += it.ids.length;
            }
        }
        return n;
    }

    Encoding apply(BertTokenizer.Pieces a, BertTokenizer.Pieces b) {
        List<Integer> ids = new ArrayList<>();
        List<Integer> types = new ArrayList<>();
        List<String> tokens = new ArrayList<>();
        for (Item it : b == null ? single : pair) {
            if (it.special()) {
                for (int k = 0; k < it.ids.length; k++) {
                    ids.add(it.ids[k]);
                    tokens.add(it.tokens[k]);
                    types.add(it.typeId);
                }
            } else {
                BertTokenizer.Pieces p = it.sequence == 0 ? a : b;
                ids.addAll(p.ids);
                tokens.addAll(p.tokens);
                for (int k = 0; k < p.size(); k++) {
                    types.add(it.typeId);
                }
            }
        }
        int[] idArray = new int[ids.size()];
        int[] typeArray = new int[ids.size()];
        for (int k = 0; k < idArray.length; k++) {
            idArray[k] = ids.get(k);
            typeArray[k] = types.get(k);
        }
        return new Encoding(idArray, typeArray, tokens.toArray(new String[0]));
    }
}
