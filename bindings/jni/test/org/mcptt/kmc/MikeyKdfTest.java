package org.mcptt.kmc;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.List;
import org.junit.Test;

/** The MIKEY key derivation through the Java API against tests/vectors/mikey-kdf.json. */
public class MikeyKdfTest {
    @Test
    public void matchesTheVectors() {
        String json = Vectors.text("mikey-kdf.json");
        List<String> tgks = Vectors.strings(json, "tgk");
        List<Long> constants = Vectors.numbers(json, "constant");
        List<Long> csIds = Vectors.numbers(json, "cs_id");
        List<Long> csbIds = Vectors.numbers(json, "csb_id");
        List<String> rands = Vectors.strings(json, "rand");
        List<String> outs = Vectors.strings(json, "out");
        assertTrue(outs.size() >= 100);
        assertEquals(outs.size(), tgks.size());
        for (int i = 0; i < outs.size(); i++) {
            byte[] want = Vectors.unhex(outs.get(i));
            byte[] got =
                    MikeyKdf.deriveKey(
                            Vectors.unhex(tgks.get(i)),
                            (int) (long) constants.get(i),
                            (int) (long) csIds.get(i),
                            (int) (long) csbIds.get(i),
                            Vectors.unhex(rands.get(i)),
                            want.length);
            assertArrayEquals("case " + i, want, got);
        }
    }

    @Test
    public void refusesOutOfRangeInputs() {
        byte[] tgk = new byte[16];
        byte[] rand = new byte[16];
        int[][] lengths = {{0, 16, 16}, {1025, 16, 16}, {16, 0, 16}, {16, 256, 16}, {16, 16, 0}, {16, 16, 1025}};
        for (int[] l : lengths) {
            InvalidInputException x =
                    assertThrows(
                            InvalidInputException.class,
                            () -> MikeyKdf.deriveKey(new byte[l[0]], MikeyKdf.TEK, 0, 0, new byte[l[1]], l[2]));
            assertEquals(MkcException.INVALID_LENGTH, x.code());
        }
        assertEquals(
                MkcException.INVALID_PARAMETER,
                assertThrows(InvalidInputException.class, () -> MikeyKdf.deriveKey(tgk, 0, 256, 0, rand, 16))
                        .code());
        assertThrows(InvalidInputException.class, () -> MikeyKdf.deriveKey(tgk, 0, 0, 0, rand, -1));
        assertThrows(NullPointerException.class, () -> MikeyKdf.deriveKey(null, 0, 0, 0, rand, 16));
        assertEquals(30, MikeyKdf.deriveKey(tgk, MikeyKdf.SALT, 0, -1, rand, 30).length);
    }
}
