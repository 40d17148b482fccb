/** The demo catalog `npm run db:seed` loads: a few categories, a few dozen products. */

export interface DemoCategory {
  name: string;
  description: string;
  products: [name: string, price: string, stock: number, description: string][];
}

export const demoCatalog: DemoCategory[] = [
  {
    name: "Electronics",
    description: "Electronic devices and gadgets",
    products: [
      ["Gaming Laptop", "1299.99", 50, "High performance gaming laptop with a 16-inch 165 Hz screen"],
      ["Ultrabook 13", "999.00", 12, "Thin and light laptop, 18 hours of battery"],
      ["Wireless Mouse", "24.99", 140, "Silent clicks, USB-C receiver"],
      ["Mechanical Keyboard", "89.90", 7, "Hot-swappable switches, aluminium case"],
      ["27-inch 4K Monitor", "349.00", 0, "IPS panel, USB-C with 65 W charging"],
      ["Noise-Cancelling Headphones", "199.50", 23, "Over-ear, 30 hours of battery"],
      ["USB-C Charger 65W", "39.99", 3, "GaN charger with two ports"],
      ["Portable SSD 1TB", "109.00", 31, "1050 MB/s, shock resistant"],
    ],
  },
  {
    name: "Books",
    description: "Printed books and guides",
    products: [
      ["The Pragmatic Programmer", "42.00", 18, "20th anniversary edition"],
      ["Designing Data-Intensive Applications", "47.50", 9, "Reliable, scalable and maintainable systems"],
      ["Clean Architecture", "34.99", 0, "A craftsman's guide to software structure"],
      ["Refactoring", "44.95", 5, "Improving the design of existing code, 2nd edition"],
      ["Dune", "12.99", 64, "Frank Herbert's science-fiction classic, paperback"],
      ["Cooking for Engineers", "27.00", 2, "Recipes explained with diagrams"],
    ],
  },
  {
    name: "Home & Kitchen",
    description: "Cookware, appliances and everything for the home",
    products: [
      ["Chef's Knife 8-inch", "59.00", 22, "German steel, full tang"],
      ["Cast Iron Skillet", "34.50", 15, "Pre-seasoned, 26 cm"],
      ["Espresso Machine", "449.00", 4, "15 bar pump, steam wand"],
      ["Electric Kettle", "29.99", 0, "1.7 l, keeps warm for 30 minutes"],
      ["Bamboo Cutting Board", "19.99", 80, "Set of three sizes"],
      ["French Press", "24.00", 8, "Borosilicate glass, 1 l"],
      ["Stand Mixer", "329.00", 6, "5 l bowl, 10 speeds"],
    ],
  },
  {
    name: "Sports & Outdoors",
    description: "Gear for training, hiking and camping",
    products: [
      ["Yoga Mat", "25.00", 45, "6 mm, non-slip"],
      ["Adjustable Dumbbells", "219.00", 3, "2.5 to 24 kg each"],
      ["Trail Running Shoes", "129.95", 27, "Grippy outsole, waterproof"],
      ["2-Person Tent", "159.00", 11, "Freestanding, 1.8 kg"],
      ["Insulated Water Bottle", "22.50", 0, "750 ml, keeps cold for 24 hours"],
      ["Hiking Backpack 40L", "99.00", 9, "Ventilated back panel, rain cover"],
    ],
  },
  {
    name: "Toys & Games",
    description: "Board games, puzzles and toys",
    products: [
      ["Settlers Board Game", "44.99", 14, "Trade, build and settle, 3 to 4 players"],
      ["1000-Piece Puzzle", "17.99", 33, "Alpine lake landscape"],
      ["Building Blocks Set", "59.99", 1, "1,200 pieces in 12 colours"],
      ["Remote Control Car", "49.00", 0, "1:16 scale, 25 km/h"],
      ["Chess Set", "35.00", 19, "Weighted pieces, folding wooden board"],
    ],
  },
];
