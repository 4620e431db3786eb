// The page furniture every report shares: A4 pages, a title block, section headings, tables that break across
// pages with their header repeated, charts placed where they fit, and "page N of M" in every footer.
import PDFDocument from 'pdfkit';
import SVGtoPDF from 'svg-to-pdfkit';
import { pdfText } from './format.ts';

const MARGIN = 40;
const FOOTER_SPACE = 24;
const FONT = 'Helvetica';
const BOLD = 'Helvetica-Bold';
const INK = '#1f2933';
const MUTED = '#5f6b7a';
const RULE = '#c9d1db';
const HEADER_FILL = '#e8edf3';
const STRIPE_FILL = '#f6f8fa';
/** Tables up to this tall (points) are not split across pages. */
const KEEP_TOGETHER = 220;

const MAX_CELL = 600;
const clip = (s: string) => (s.length > MAX_CELL ? `${s.slice(0, MAX_CELL)}...` : s);

export interface Column<R> {
  title: string;
  /** Relative width (the columns share the page width in proportion). */
  width: number;
  value(row: R): string;
  align?: 'left' | 'right';
}

export class ReportDocument {
  readonly doc: PDFKit.PDFDocument;
  readonly left = MARGIN;
  readonly width: number;

  constructor(
    title: string,
    private readonly footerLabel: string,
  ) {
    this.doc = new PDFDocument({
      size: 'A4',
      margins: { top: MARGIN, left: MARGIN, right: MARGIN, bottom: MARGIN + FOOTER_SPACE },
      bufferPages: true,
      info: { Title: pdfText(title), Creator: 'Yoctosehns', Producer: 'Yoctosehns' },
    });
    this.width = this.doc.page.width - 2 * MARGIN;
    this.doc.font(FONT).fontSize(10).fillColor(INK);
  }

  get y(): number {
    return this.doc.y;
  }

  /** The lowest y content may reach on this page. */
  get bottom(): number {
    return this.doc.page.height - this.doc.page.margins.bottom;
  }

  /** Starts a new page unless `height` points still fit on this one. */
  ensureSpace(height: number): void {
    if (this.doc.y + height > this.bottom) this.doc.addPage();
  }

  newPage(): void {
    this.doc.addPage();
  }

  gap(points = 8): void {
    this.doc.y += points;
  }

  /** The report's title block: what it is, for whom and when. */
  titleBlock(title: string, lines: [string, string][]): void {
    const d = this.doc;
    d.font(BOLD).fontSize(18).fillColor(INK).text(pdfText(title), this.left, d.y, { width: this.width });
    d.moveDown(0.4);
    const labelWidth = 110;
    for (const [label, value] of lines) {
      const y = d.y;
      d.font(BOLD).fontSize(9.5).fillColor(MUTED).text(pdfText(label), this.left, y, { width: labelWidth });
      d.font(FONT).fontSize(9.5).fillColor(INK).text(pdfText(value), this.left + labelWidth, y, { width: this.width - labelWidth });
      d.y = Math.max(d.y, y + 12);
    }
    d.moveTo(this.left, d.y + 4).lineTo(this.left + this.width, d.y + 4).lineWidth(1).strokeColor(RULE).stroke();
    d.y += 12;
  }

  /** A section heading, kept with at least `keepWith` points of what follows it. */
  heading(text: string, keepWith = 60, size = 13): void {
    const d = this.doc;
    if (d.y > d.page.margins.top + 1) d.y += size > 12 ? 8 : 4;
    this.ensureSpace(size + 10 + keepWith);
    d.font(BOLD).fontSize(size).fillColor(INK).text(pdfText(text), this.left, d.y, { width: this.width });
    d.moveDown(0.25);
    d.font(FONT).fontSize(10);
  }

  subheading(text: string, keepWith = 60): void {
    this.heading(text, keepWith, 11);
  }

  paragraph(text: string, options: { muted?: boolean; size?: number; bold?: boolean } = {}): void {
    const d = this.doc;
    d.font(options.bold ? BOLD : FONT).fontSize(options.size ?? 9.5).fillColor(options.muted ? MUTED : INK);
    this.ensureSpace(d.heightOfString(pdfText(text), { width: this.width }));
    d.text(pdfText(text), this.left, d.y, { width: this.width });
    d.moveDown(0.3);
    d.font(FONT).fillColor(INK);
  }

  /** Label/value pairs in two columns of pairs (an animal's identity, a node's details). */
  facts(pairs: [string, string][], columns = 2): void {
    const d = this.doc;
    const colWidth = this.width / columns;
    const labelWidth = Math.min(95, colWidth * 0.42);
    for (let i = 0; i < pairs.length; i += columns) {
      const row = pairs.slice(i, i + columns);
      d.fontSize(9.5);
      const h = Math.max(...row.map(([, v]) => d.font(FONT).heightOfString(pdfText(v), { width: colWidth - labelWidth - 6 }))) + 3;
      this.ensureSpace(h);
      const y = d.y;
      row.forEach(([label, value], c) => {
        const x = this.left + c * colWidth;
        d.font(BOLD).fillColor(MUTED).text(pdfText(label), x, y, { width: labelWidth });
        d.font(FONT).fillColor(INK).text(pdfText(value), x + labelWidth, y, { width: colWidth - labelWidth - 6 });
      });
      d.y = y + h;
    }
    d.x = this.left;
    d.moveDown(0.3);
  }

  /** A table whose rows break across pages; the header row is repeated on each new page. */
  table<R>(columns: Column<R>[], rows: readonly R[], options: { size?: number; bold?: (row: R) => boolean } = {}): void {
    const d = this.doc;
    const size = options.size ?? 8.5;
    const total = columns.reduce((s, c) => s + c.width, 0);
    const widths = columns.map((c) => (c.width / total) * this.width);
    const pad = 3;
    const rowHeight = (cells: string[], font: string) => {
      d.font(font).fontSize(size);
      return Math.max(...cells.map((text, i) => d.heightOfString(text || ' ', { width: widths[i]! - 2 * pad }))) + 2 * pad;
    };
    const drawRow = (cells: string[], font: string, fill: string | undefined, color: string) => {
      const h = rowHeight(cells, font);
      const y = d.y;
      if (fill) d.rect(this.left, y, this.width, h).fill(fill);
      let x = this.left;
      d.font(font).fontSize(size).fillColor(color);
      cells.forEach((text, i) => {
        d.text(text, x + pad, y + pad, { width: widths[i]! - 2 * pad, align: columns[i]!.align ?? 'left' });
        x += widths[i]!;
      });
      d.moveTo(this.left, y + h).lineTo(this.left + this.width, y + h).lineWidth(0.5).strokeColor(RULE).stroke();
      d.y = y + h;
      d.x = this.left;
    };
    const header = columns.map((c) => pdfText(c.title));
    const headerHeight = rowHeight(header, BOLD);
    // A cell never outgrows a page (a note pasted into an event): past MAX_CELL characters it is cut short.
    const cellsOf = (r: R) => columns.map((c) => pdfText(clip(c.value(r))));
    const fontOf = (r: R) => (options.bold?.(r) ? BOLD : FONT);
    const heights = rows.map((r) => rowHeight(cellsOf(r), fontOf(r)));
    const whole = headerHeight + heights.reduce((a, b) => a + b, 0);
    // A short table stays on one page; a long one at least never leaves its header alone at a page's foot.
    this.ensureSpace(whole <= KEEP_TOGETHER ? whole : headerHeight + (heights[0] ?? 0));
    drawRow(header, BOLD, HEADER_FILL, INK);
    rows.forEach((r, i) => {
      if (d.y + heights[i]! > this.bottom) {
        d.addPage();
        drawRow(header, BOLD, HEADER_FILL, INK);
      }
      drawRow(cellsOf(r), fontOf(r), i % 2 ? STRIPE_FILL : undefined, INK);
    });
    d.font(FONT).fontSize(10).fillColor(INK);
    d.moveDown(0.6);
  }

  /** An SVG (an ECharts chart) at full width, on a new page if it does not fit on this one. */
  svg(svg: string, width: number, height: number): void {
    this.ensureSpace(height + 6);
    const y = this.doc.y;
    SVGtoPDF(this.doc, svg, this.left + (this.width - width) / 2, y, { width, height, assumePt: true });
    this.doc.font(FONT).fontSize(10).fillColor(INK);
    this.doc.x = this.left;
    this.doc.y = y + height + 6;
  }

  /** An SVG at a given place (charts side by side); the caller has made room and moves on. */
  svgAt(svg: string, x: number, y: number, width: number, height: number): void {
    SVGtoPDF(this.doc, svg, x, y, { width, height, assumePt: true });
    this.doc.font(FONT).fontSize(10).fillColor(INK);
    this.doc.x = this.left;
  }

  /** Writes "page N of M" and the report's label in every footer; returns the number of pages. */
  finish(): number {
    const d = this.doc;
    const range = d.bufferedPageRange();
    for (let i = range.start; i < range.start + range.count; i++) {
      d.switchToPage(i);
      const bottomMargin = d.page.margins.bottom;
      d.page.margins.bottom = 0; // writing inside the margin must not start a new page
      const y = d.page.height - MARGIN - 8;
      d.moveTo(this.left, y - 4).lineTo(this.left + this.width, y - 4).lineWidth(0.5).strokeColor(RULE).stroke();
      d.font(FONT).fontSize(8).fillColor(MUTED);
      d.text(pdfText(this.footerLabel), this.left, y, { width: this.width * 0.75, lineBreak: false });
      d.text(`page ${i - range.start + 1} of ${range.count}`, this.left, y, { width: this.width, align: 'right', lineBreak: false });
      d.page.margins.bottom = bottomMargin;
    }
    d.flushPages();
    return range.count;
  }
}
