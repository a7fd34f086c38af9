// WCAG 2.x AA contrast of what a page shows, measured in the browser from computed styles:
// text (1.4.3: 4.5:1, 3:1 for large text), focus outlines and control borders (1.4.11: 3:1).
//
// A colour is judged against its effective background: the element's own background and its
// ancestors', composited upwards until an opaque one (the canvas, white, if none is). Opacity
// of the element and its ancestors fades the text. A background image on the way cannot be
// judged from styles and is reported as a problem rather than passed.

// Runs in the page: every rendered element with text of its own, links also in their
// :visited colour (which getComputedStyle hides), and placeholders of empty inputs.
function measureInPage() {
  const problems = [];
  const checked = { text: 0, links: 0, placeholders: 0 };
  const parse = (c) => {
    const m = c.match(/^rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)$/);
    if (!m) throw new Error('unexpected colour format: ' + c);
    return [Number(m[1]), Number(m[2]), Number(m[3]), m[4] === undefined ? 1 : Number(m[4])];
  };
  const over = (top, under) => {
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + under[i] * (1 - a)).concat([1]);
  };
  const luminance = (c) => {
    const [r, g, b] = c.slice(0, 3).map((v) => {
      const s = v / 255;
      return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a, b) => {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  };
  // The colour behind `el`, and whether an image made it unknowable.
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (s.backgroundImage !== 'none') return { image: e };
      const c = parse(s.backgroundColor);
      if (c[3] > 0) layers.push(c);
      if (c[3] >= 1) break;
    }
    let bg = [255, 255, 255, 1];
    for (let i = layers.length - 1; i >= 0; i--) bg = over(layers[i], bg);
    return { bg };
  };
  const opacity = (el) => {
    let o = 1;
    for (let e = el; e; e = e.parentElement) o *= Number(getComputedStyle(e).opacity);
    return o;
  };
  const name = (el) => {
    let n = el.tagName.toLowerCase();
    if (el.id) n += '#' + el.id;
    if (el.classList.length) n += '.' + [...el.classList].join('.');
    return n;
  };
  const large = (s) => {
    const px = parseFloat(s.fontSize);
    return px >= 24 || (px >= 18.66 && Number(s.fontWeight) >= 700);
  };
  const rendered = (el) => {
    const s = getComputedStyle(el);
    return el.getClientRects().length > 0 && s.visibility === 'visible' && s.display !== 'none';
  };
  let visited = null;
  for (const sheet of document.styleSheets) {
    for (const rule of sheet.cssRules) {
      if (rule.selectorText === 'a:visited' && rule.style.color) visited = rule.style.color;
    }
  }
  const probe = document.createElement('span');
  document.body.appendChild(probe);
  const resolve = (css) => {
    probe.style.color = css;
    return parse(getComputedStyle(probe).color);
  };
  const visitedColour = visited ? resolve(visited) : null;
  probe.remove();

  const judge = (el, fg, what, need) => {
    const b = background(el);
    if (b.image) {
      problems.push(`${what} ${name(el)}: background image on ${name(b.image)}, contrast unknown`);
      return;
    }
    const faded = [fg[0], fg[1], fg[2], fg[3] * opacity(el)];
    const r = ratio(over(faded, b.bg), b.bg);
    if (r < need) {
      const text = (el.textContent || el.placeholder || '').trim().slice(0, 40);
      problems.push(`${what} ${name(el)} "${text}": ${r.toFixed(2)}:1 < ${need}:1 ` +
        `(rgb ${fg.slice(0, 3).join(',')} on ${b.bg.slice(0, 3).map(Math.round).join(',')})`);
    }
  };

  for (const el of document.body.querySelectorAll('*')) {
    if (['SCRIPT', 'STYLE', 'TEMPLATE'].includes(el.tagName) || !rendered(el)) continue;
    const s = getComputedStyle(el);
    const need = large(s) ? 3 : 4.5;
    const ownText = [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
    const field = el.matches('input:not([type=checkbox]):not([type=radio]):not([type=hidden]), select, textarea');
    if (ownText || (field && el.value)) {
      checked.text++;
      judge(el, parse(s.color), 'text', need);
      if (el.closest('a[href]') && visitedColour) {
        checked.links++;
        // A visited link: the same element in the :visited colour, unless a rule of its own
        // (not `a`'s) sets its colour.
        if (el.tagName === 'A' || getComputedStyle(el.parentElement).color === s.color) {
          judge(el, visitedColour, 'visited link', need);
        }
      }
    }
    if (field && !el.value && el.placeholder) {
      checked.placeholders++;
      judge(el, parse(getComputedStyle(el, '::placeholder').color), 'placeholder', need);
    }
    // The edge of a control (1.4.11): against what is around it.
    if (field || el.matches('.facet-value .box')) {
      const border = parse(s.borderTopColor);
      if (parseFloat(s.borderTopWidth) > 0 && el.parentElement) {
        const b = background(el.parentElement);
        const r = b.bg ? ratio(over(border, b.bg), b.bg) : 0;
        if (r < 3) problems.push(`border of ${name(el)}: ${r.toFixed(2)}:1 < 3:1`);
      }
    }
  }
  return { problems, checked };
}

// The focus indicator of the focused element, against what is around it (the outline is drawn
// outside the element, over its parent's background).
function focusInPage() {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const s = getComputedStyle(el);
  const described = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : '');
  if (s.outlineStyle === 'none' || parseFloat(s.outlineWidth) === 0) {
    return { el: described, problem: 'no focus outline' };
  }
  const parse = (c) => {
    const m = c.match(/^rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)$/);
    if (!m) throw new Error('unexpected colour format: ' + c);
    return [Number(m[1]), Number(m[2]), Number(m[3]), m[4] === undefined ? 1 : Number(m[4])];
  };
  const lum = (c) => {
    const [r, g, b] = c.slice(0, 3).map((v) => {
      const x = v / 255;
      return x <= 0.04045 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  let bg = null;
  for (let e = el.parentElement; e && !bg; e = e.parentElement) {
    const c = parse(getComputedStyle(e).backgroundColor);
    if (c[3] >= 1) bg = c;
  }
  bg = bg || [255, 255, 255, 1];
  const fg = parse(s.outlineColor);
  const [hi, lo] = [lum(fg), lum(bg)].sort((x, y) => y - x);
  const r = (hi + 0.05) / (lo + 0.05);
  return { el: described, ratio: r, problem: r < 3 ? `focus outline ${r.toFixed(2)}:1 < 3:1` : null };
}

// Checks the page as it is now; returns the problems found (empty when it passes) and counts.
export async function contrastProblems(page) {
  return page.evaluate(measureInPage);
}

// Tabs through the page (`presses` times, bounded) and checks every focused element's outline;
// returns the problems and how many distinct elements (by tag, id and class) were focused.
export async function focusProblems(page, presses = 60) {
  const problems = new Set();
  const seen = new Set();
  await page.evaluate(() => { if (document.activeElement) document.activeElement.blur(); });
  for (let i = 0; i < presses; i++) {
    await page.keyboard.press('Tab');
    const f = await page.evaluate(focusInPage);
    if (!f) continue;
    seen.add(f.el);
    if (f.problem) problems.add(`${f.el}: ${f.problem}`);
  }
  return { problems: [...problems], focused: seen.size };
}
