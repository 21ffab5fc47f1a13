package org.vigil.crm.internal.cib;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigInteger;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Cross-checks the score arithmetic against a brute-force reference on seeded random inputs: the reference works
 * on unbounded integers and applies Pacemaker's rules literally (any -INFINITY operand wins, then any
 * +INFINITY, else the exact sum clamped to the score range).
 */
class ScoreTest {

    private static final int INF = Score.INFINITY;

    /** Reference addition on exact integers. */
    static int referenceAdd(long a, long b) {
        if (a <= -INF || b <= -INF) {
            return -INF;
        }
        if (a >= INF || b >= INF) {
            return INF;
        }
        BigInteger sum = BigInteger.valueOf(a).add(BigInteger.valueOf(b));
        return clamp(sum);
    }

    static int clamp(BigInteger v) {
        if (v.compareTo(BigInteger.valueOf(INF)) >= 0) {
            return INF;
        }
        if (v.compareTo(BigInteger.valueOf(-INF)) <= 0) {
            return -INF;
        }
        return v.intValueExact();
    }

    /** Reference char2score: the infinities, the colours, else strtoll's leading integer, clamped. */
    static int referenceParse(String s) {
        if (s == null) {
            return 0;
        }
        switch (s) {
            case "-INFINITY":
                return -INF;
            case "INFINITY", "+INFINITY":
                return INF;
            default:
                break;
        }
        if (s.equalsIgnoreCase("red") || s.equalsIgnoreCase("yellow") || s.equalsIgnoreCase("green")) {
            return 0;
        }
        String t = s.stripLeading();
        int i = 0;
        StringBuilder digits = new StringBuilder();
        if (i < t.length() && (t.charAt(i) == '+' || t.charAt(i) == '-')) {
            if (t.charAt(i) == '-') {
                digits.append('-');
            }
            i++;
        }
        int start = i;
        while (i < t.length() && t.charAt(i) >= '0' && t.charAt(i) <= '9') {
            digits.append(t.charAt(i++));
        }
        if (i == start) {
            return 0;
        }
        return clamp(new BigInteger(digits.toString()));
    }

    private static int randomScore(Random r) {
        return switch (r.nextInt(8)) {
            case 0 -> INF;
            case 1 -> -INF;
            case 2 -> r.nextInt(2 * INF + 1) - INF;
            case 3 -> INF - 1 - r.nextInt(10);
            case 4 -> -INF + 1 + r.nextInt(10);
            default -> r.nextInt(2001) - 1000;
        };
    }

    @Test
    void additionMatchesTheReferenceOnSeededRandomScores() {
        Random r = new Random(20221123L);
        for (int i = 0; i < 200_000; i++) {
            int a = randomScore(r);
            int b = randomScore(r);
            assertEquals(referenceAdd(a, b), Score.add(a, b), a + " + " + b);
            assertEquals(Score.add(a, b), Score.add(b, a), "commutative: " + a + " + " + b);
        }
    }

    @Test
    void negativeInfinityWinsOverPositiveInfinity() {
        assertEquals(-INF, Score.add(INF, -INF));
        assertEquals(-INF, Score.add(-INF, INF));
        assertEquals(INF, Score.add(INF, INF));
        assertEquals(INF, Score.add(INF, -999_999));
        assertEquals(INF, Score.add(999_999, 1));
        assertEquals(-INF, Score.add(-999_999, -1));
        assertEquals(999_999, Score.add(999_998, 1));
    }

    @Test
    void sumsOfSeededRandomSequencesMatchTheReference() {
        Random r = new Random(7L);
        for (int i = 0; i < 20_000; i++) {
            int n = 1 + r.nextInt(8);
            int acc = 0;
            long ref = 0;
            for (int k = 0; k < n; k++) {
                int s = randomScore(r);
                acc = Score.add(acc, s);
                ref = referenceAdd(ref, s);
            }
            assertEquals(ref, acc);
        }
    }

    @Test
    void parsingMatchesTheReferenceOnSeededRandomStrings() {
        Random r = new Random(42L);
        String[] pieces = {"INFINITY", "+INFINITY", "-INFINITY", "infinity", "INFINITYX", "red", "Yellow", "green",
            "", " ", "+", "-", "0", "7", "12", "999999", "1000000", "1000001", "99999999999999999999999", "abc",
            "1e3", "0x10", "\t5", "--3", "+-3", "4 2"};
        for (int i = 0; i < 100_000; i++) {
            StringBuilder sb = new StringBuilder();
            int n = 1 + r.nextInt(3);
            for (int k = 0; k < n; k++) {
                sb.append(pieces[r.nextInt(pieces.length)]);
            }
            String s = sb.toString();
            assertEquals(referenceParse(s), Score.parse(s), "'" + s + "'");
        }
        for (String p : pieces) {
            assertEquals(referenceParse(p), Score.parse(p), "'" + p + "'");
        }
    }

    @Test
    void printsInfinitiesByName() {
        assertEquals("INFINITY", Score.toString(INF));
        assertEquals("-INFINITY", Score.toString(-INF));
        assertEquals("-5", Score.toString(-5));
    }
}
