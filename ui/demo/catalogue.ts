/** The demo shop's stock: a few fictional wines from real regions. Plain data, no DOM. */

export type WineStyle = "red" | "white" | "rosé" | "sparkling";

export interface Region {
  slug: string;
  name: string;
  country: string;
  blurb: string;
  /** A page on another host, so the demo has an outbound link to click. */
  wikipedia: string;
}

export interface Wine {
  slug: string;
  name: string;
  region: string;
  grape: string;
  vintage: number;
  /** Euros. */
  price: number;
  style: WineStyle;
  notes: string;
}

export const REGIONS: readonly Region[] = [
  {
    slug: "bordeaux",
    name: "Bordeaux",
    country: "France",
    blurb: "Gravel banks on either side of the Gironde: Cabernet on the left, Merlot on the right, and long-lived whites from the Graves.",
    wikipedia: "https://en.wikipedia.org/wiki/Bordeaux_wine",
  },
  {
    slug: "burgundy",
    name: "Burgundy",
    country: "France",
    blurb: "A narrow limestone slope where a single grape speaks of a single plot: Pinot Noir for reds, Chardonnay for whites.",
    wikipedia: "https://en.wikipedia.org/wiki/Burgundy_wine",
  },
  {
    slug: "rioja",
    name: "Rioja",
    country: "Spain",
    blurb: "Tempranillo from the banks of the Ebro, patiently aged in oak before it leaves the bodega.",
    wikipedia: "https://en.wikipedia.org/wiki/Rioja_(wine)",
  },
  {
    slug: "tuscany",
    name: "Tuscany",
    country: "Italy",
    blurb: "Sangiovese on sunny hills between Florence and Siena, bright with cherry and a little rustic.",
    wikipedia: "https://en.wikipedia.org/wiki/Tuscan_wine",
  },
  {
    slug: "mosel",
    name: "Mosel",
    country: "Germany",
    blurb: "Riesling clinging to slate slopes so steep they are worked by hand: featherweight, racy, thrilling.",
    wikipedia: "https://en.wikipedia.org/wiki/Mosel_(wine_region)",
  },
  {
    slug: "champagne",
    name: "Champagne",
    country: "France",
    blurb: "Chalk cellars, a second fermentation in the bottle, and bubbles that have waited years to be poured.",
    wikipedia: "https://en.wikipedia.org/wiki/Champagne",
  },
];

export const WINES: readonly Wine[] = [
  {
    slug: "chateau-lumiere-2016",
    name: "Château Lumière",
    region: "bordeaux",
    grape: "Merlot, Cabernet Franc",
    vintage: 2016,
    price: 48,
    style: "red",
    notes: "Plum, cedar and graphite; fine tannins that will carry it another decade.",
  },
  {
    slug: "clos-des-graves-2019",
    name: "Clos des Graves Blanc",
    region: "bordeaux",
    grape: "Sauvignon Blanc, Sémillon",
    vintage: 2019,
    price: 36,
    style: "white",
    notes: "Grapefruit and beeswax over a flinty, waxy core.",
  },
  {
    slug: "domaine-vauclair-2018",
    name: "Domaine Vauclair",
    region: "burgundy",
    grape: "Pinot Noir",
    vintage: 2018,
    price: 54,
    style: "red",
    notes: "Wild strawberry, forest floor and a silky, whispering finish.",
  },
  {
    slug: "pierres-blanches-2021",
    name: "Les Pierres Blanches",
    region: "burgundy",
    grape: "Chardonnay",
    vintage: 2021,
    price: 29,
    style: "white",
    notes: "Green apple, oyster shell and lemon zest: Chablis at its most precise.",
  },
  {
    slug: "bodega-alta-2015",
    name: "Bodega Alta Reserva",
    region: "rioja",
    grape: "Tempranillo",
    vintage: 2015,
    price: 32,
    style: "red",
    notes: "Dried cherry, vanilla and leather from three years in American oak.",
  },
  {
    slug: "poggio-al-vento-2019",
    name: "Poggio al Vento",
    region: "tuscany",
    grape: "Sangiovese",
    vintage: 2019,
    price: 27,
    style: "red",
    notes: "Sour cherry, violets and a savoury, food-loving grip.",
  },
  {
    slug: "steilhang-kabinett-2020",
    name: "Steilhang Kabinett",
    region: "mosel",
    grape: "Riesling",
    vintage: 2020,
    price: 22,
    style: "white",
    notes: "Peach and slate, a touch of sweetness balanced by electric acidity.",
  },
  {
    slug: "maison-aurore-2014",
    name: "Maison Aurore Brut",
    region: "champagne",
    grape: "Chardonnay, Pinot Noir",
    vintage: 2014,
    price: 68,
    style: "sparkling",
    notes: "Brioche, toasted almond and a fine, persistent mousse.",
  },
];

export function findWine(slug: string): Wine | undefined {
  return WINES.find((wine) => wine.slug === slug);
}

export function findRegion(slug: string): Region | undefined {
  return REGIONS.find((region) => region.slug === slug);
}

export function winesOf(region: Region): Wine[] {
  return WINES.filter((wine) => wine.region === region.slug);
}
