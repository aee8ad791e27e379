package dev.microshop.inventory;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo catalog a developer sees on the first {@code up}: seeded once per database, in dev mode
 * only. The seed marker and the products commit together, so a restart, or two instances starting
 * at once, never seed twice, and a product an admin changed or created with the same SKU is never
 * overwritten.
 */
final class DemoCatalog {
  static final String SEED = "demo-catalog-v1";
  private static final Logger LOG = LoggerFactory.getLogger(DemoCatalog.class);

  /** SKU, name, description, price in minor units, currency, available. */
  static final List<NewProduct> PRODUCTS =
      List.of(
          new NewProduct(
              "KIT-ESP-001",
              "Aeropress Coffee Maker",
              "Immersion brewer for one to three cups; includes 350 paper filters.",
              3_999,
              "EUR",
              42),
          new NewProduct(
              "KIT-ESP-002",
              "Burr Coffee Grinder",
              "Conical steel burrs with 40 grind settings, from espresso to cold brew.",
              12_900,
              "EUR",
              15),
          new NewProduct(
              "KIT-ESP-003",
              "Stovetop Espresso Pot, 6 cups",
              "Aluminium moka pot for gas, electric and ceramic hobs.",
              2_950,
              "EUR",
              60),
          new NewProduct(
              "KIT-TEA-001",
              "Cast Iron Teapot",
              "0.8 l Tetsubin-style teapot with a stainless steel infuser.",
              4_500,
              "EUR",
              8),
          new NewProduct(
              "KIT-TEA-002",
              "Sencha Green Tea, 100 g",
              "Loose-leaf first flush sencha from Shizuoka.",
              1_800,
              "JPY",
              120),
          new NewProduct(
              "KIT-KNF-001",
              "Chef's Knife 20 cm",
              "Forged stainless steel, full tang, olive wood handle.",
              8_900,
              "EUR",
              25),
          new NewProduct(
              "KIT-KNF-002",
              "Whetstone 1000/6000",
              "Dual-grit sharpening stone with a bamboo base.",
              3_490,
              "EUR",
              0),
          new NewProduct(
              "KIT-PAN-001",
              "Carbon Steel Frying Pan 28 cm",
              "Pre-seasoned, oven safe, works on induction.",
              5_400,
              "EUR",
              30),
          new NewProduct(
              "KIT-PAN-002",
              "Enamelled Dutch Oven 5 l",
              "Cast iron casserole for stews, bread and braises.",
              18_900,
              "EUR",
              6),
          new NewProduct(
              "HOM-LMP-001",
              "Linen Table Lamp",
              "Ceramic base, natural linen shade, E27 socket.",
              7_950,
              "EUR",
              18),
          new NewProduct(
              "HOM-BLK-001",
              "Merino Wool Throw",
              "130 x 170 cm, woven in Portugal from undyed merino.",
              11_500,
              "EUR",
              12),
          new NewProduct(
              "HOM-CND-001",
              "Beeswax Candle Set",
              "Three hand-poured pillar candles, about 40 hours each.",
              2_400,
              "GBP",
              75),
          new NewProduct(
              "HOM-PLT-001",
              "Terracotta Plant Pot 20 cm",
              "Frost-resistant, with a drainage hole and saucer.",
              1_490,
              "EUR",
              90),
          new NewProduct(
              "HOM-CLK-001",
              "Oak Wall Clock",
              "Silent sweep movement, 30 cm solid oak face.",
              6_900,
              "CHF",
              9),
          new NewProduct(
              "OUT-TNT-001",
              "Two-Person Hiking Tent",
              "1.9 kg freestanding tent with two doors and vestibules.",
              29_900,
              "EUR",
              7),
          new NewProduct(
              "OUT-BAG-001",
              "Down Sleeping Bag -5 C",
              "750 fill power responsibly sourced down, compresses to 4 l.",
              34_900,
              "EUR",
              4),
          new NewProduct(
              "OUT-BTL-001",
              "Insulated Water Bottle 750 ml",
              "Double-walled stainless steel; cold for 24 hours, hot for 12.",
              2_999,
              "EUR",
              150),
          new NewProduct(
              "OUT-LMP-001",
              "Rechargeable Headlamp",
              "400 lumens, red night mode, USB-C charging.",
              4_995,
              "USD",
              33),
          new NewProduct(
              "OUT-PCK-001",
              "Daypack 24 l",
              "Recycled nylon, padded laptop sleeve, rain cover included.",
              8_900,
              "EUR",
              21),
          new NewProduct(
              "OUT-SCK-001",
              "Merino Hiking Socks, 2 pairs",
              "Cushioned sole, reinforced heel and toe.",
              2_200,
              "SEK",
              64),
          new NewProduct(
              "BKS-NOV-001",
              "The Long Way Home (paperback)",
              "A novel about a lighthouse keeper and the storm of 1953.",
              1_299,
              "EUR",
              40),
          new NewProduct(
              "BKS-CKB-001",
              "Everyday Fermentation (hardcover)",
              "Kimchi, kefir, sourdough and 80 more recipes.",
              2_899,
              "EUR",
              14),
          new NewProduct(
              "BKS-PHO-001",
              "Northern Light: a Photo Book",
              "Landscapes from Lofoten and Iceland, 240 pages.",
              4_900,
              "EUR",
              3),
          new NewProduct(
              "BKS-KID-001",
              "Counting Sheep (board book)",
              "For ages 1 to 3; thick pages that survive toddlers.",
              899,
              "EUR",
              55),
          new NewProduct(
              "ELE-HDP-001",
              "Wireless Noise-Cancelling Headphones",
              "30 hours of battery, multipoint Bluetooth 5.3.",
              24_900,
              "EUR",
              19),
          new NewProduct(
              "ELE-SPK-001",
              "Portable Bluetooth Speaker",
              "Waterproof (IP67), 12 hours of playback.",
              7_999,
              "USD",
              27),
          new NewProduct(
              "ELE-KBD-001",
              "Mechanical Keyboard, 75%",
              "Hot-swappable switches, PBT keycaps, USB-C.",
              11_900,
              "EUR",
              11),
          new NewProduct(
              "ELE-CBL-001",
              "USB-C Cable 2 m, braided",
              "100 W power delivery, 10 Gbit/s data.",
              1_599,
              "EUR",
              200),
          new NewProduct(
              "ELE-CHG-001",
              "65 W GaN Charger",
              "Two USB-C ports and one USB-A; charges a laptop and a phone at once.",
              3_990,
              "EUR",
              0),
          new NewProduct(
              "ELE-EBR-001",
              "E-Reader with Warm Light",
              "6.8 inch glare-free screen, 16 GB, waterproof.",
              14_999,
              "GBP",
              10),
          new NewProduct(
              "TOY-PUZ-001",
              "1000-Piece Jigsaw: Alpine Village",
              "Recycled board, matte finish, poster included.",
              1_995,
              "EUR",
              36),
          new NewProduct(
              "TOY-BLD-001",
              "Wooden Building Blocks, 60 pieces",
              "Beech wood, water-based paints, storage bag.",
              3_450,
              "EUR",
              22),
          new NewProduct(
              "TOY-GAM-001",
              "Strategy Board Game: Trade Winds",
              "2 to 5 players, about 60 minutes, ages 10 and up.",
              4_499,
              "EUR",
              17),
          new NewProduct(
              "SPT-YOG-001",
              "Cork Yoga Mat",
              "Natural cork on natural rubber, 4 mm, non-slip when wet.",
              6_900,
              "EUR",
              13),
          new NewProduct(
              "SPT-KTB-001",
              "Kettlebell 12 kg",
              "Cast iron with a powder-coated handle.",
              4_200,
              "EUR",
              5),
          new NewProduct(
              "SPT-ROP-001",
              "Speed Jump Rope",
              "Adjustable steel cable, ball-bearing handles.",
              1_490,
              "DKK",
              48));

  private final Pool pool;

  DemoCatalog(Pool pool) {
    this.pool = pool;
  }

  /** Seeds the catalog unless this database was seeded before; true when this call seeded it. */
  Future<Boolean> seedOnce() {
    return pool.withTransaction(
            tx ->
                tx.preparedQuery(InventorySql.CLAIM_SEED)
                    .execute(Tuple.of(SEED))
                    .compose(
                        claimed ->
                            claimed.size() == 1
                                ? insertProducts(tx).map(true)
                                : Future.succeededFuture(false)))
        .onSuccess(
            seeded -> {
              if (seeded) {
                LOG.info("seeded the demo catalog ({} products)", PRODUCTS.size());
              }
            });
  }

  private static Future<?> insertProducts(SqlConnection tx) {
    List<Tuple> rows =
        PRODUCTS.stream()
            .map(
                p ->
                    Tuple.of(
                        UUID.randomUUID(),
                        p.sku(),
                        p.name(),
                        p.description(),
                        p.priceMinor(),
                        p.currency(),
                        p.available()))
            .toList();
    return tx.preparedQuery(InventorySql.INSERT_SEED_PRODUCT).executeBatch(rows);
  }
}
