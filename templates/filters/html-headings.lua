--[[
One h1 per HTML page (runs last).

The page's h1 is the report title, written by the template's title block. A notebook's
`#` sections therefore become h2, `##` h3, and so on (down to h6), and the contents
list is built from the shifted levels: `toc-depth` counts from h1, so sections and
their subsections need toc-depth 3. Other formats (Typst, DOCX) keep the notebook's
levels, so the PDF's outline is unchanged.
]]

if not FORMAT:match('html') then
  return {}
end

function Header(header)
  header.level = math.min(header.level + 1, 6)
  return header
end
