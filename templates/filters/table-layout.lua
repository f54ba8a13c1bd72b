--[[
Table layout for the built-in renderer (runs after crossref.lua).

Pipe tables get their column widths from the dashes under the header once a line is
long, which for generated tables says nothing about the content (every column equal,
so labels wrap word by word). So widths are never taken from the markdown:

  HTML:  widths are dropped, so the browser sizes columns to their content, and the
         table is put in a <div class="table-scroll"> that report.css lets scroll
         sideways on a narrow screen.
  Typst: a simple table (one header row, no merged cells) is written as
         #cp-table(align: ..., least: ..., most: ..., header: (...), rows: (...)),
         defined in typst-template.typ, with each column's longest word and longest
         cell in characters; cp-table sizes the columns from them to span the text
         width, wrapping labels only when they must. A labelled table becomes
         #figure(cp-table(...), kind: table, caption: [...]) <tbl-...>, so Typst numbers
         it like the HTML; a captioned one without a label gets `numbering: none` (its
         caption shown, not numbered, as in HTML). The header row is a table.header,
         so PDF/UA tags its cells as column headers, with the caption inside the
         table's tag. Cell text and captions are written by pandoc's Typst writer, so
         they are escaped. Other tables keep pandoc's writer, with auto widths (a
         captioned one without a label is wrapped in an unnumbered figure); columns
         without an alignment are set left either way (pandoc centres tables and Typst
         would centre such cells with it).
  DOCX:  as HTML: widths dropped (Word fits columns to their content); pandoc marks
         the header row to repeat on each page and writes the caption as the table's
         Word caption.
]]

local is_typst = FORMAT:match('typst') ~= nil
local table_title = 'Table'

local typst_align = {
  AlignLeft = 'left',
  AlignRight = 'right',
  AlignCenter = 'center',
  AlignDefault = 'left',
}

local function typst_markup(blocks)
  local text = pandoc.write(pandoc.Pandoc(blocks), 'typst', { wrap_text = 'wrap-none' })
  return '[' .. text:gsub('^%s+', ''):gsub('%s+$', '') .. ']'
end

local function is_simple(tbl)
  if #tbl.head.rows > 1 or #tbl.foot.rows > 0 then
    return false
  end
  local rows = pandoc.List({})
  rows:extend(tbl.head.rows)
  for _, body in ipairs(tbl.bodies) do
    if #body.head > 0 or body.row_head_columns > 0 then
      return false
    end
    rows:extend(body.body)
  end
  for _, row in ipairs(rows) do
    for _, cell in ipairs(row.cells) do
      if cell.row_span ~= 1 or cell.col_span ~= 1 then
        return false
      end
    end
  end
  return true
end

-- Every cell of a table written by one call of pandoc's Typst writer (a call per
-- cell is slow): cells are separated by a comment line that escaped text cannot form.
local CELL_BREAK = '// cp-cell-break'

local function typst_cells(rows)
  local blocks = pandoc.Blocks({})
  for _, row in ipairs(rows) do
    for _, cell in ipairs(row.cells) do
      blocks:extend(cell.contents)
      blocks:insert(pandoc.RawBlock('typst', CELL_BREAK))
    end
  end
  local text = pandoc.write(pandoc.Pandoc(blocks), 'typst', { wrap_text = 'wrap-none' })
  local cells = {}
  for piece in (text .. '\n'):gmatch('(.-)\n?' .. CELL_BREAK:gsub('%p', '%%%0') .. '\n') do
    table.insert(cells, '[' .. piece:gsub('^%s+', ''):gsub('%s+$', '') .. ']')
  end
  local result, next_cell = {}, 1
  for _, row in ipairs(rows) do
    local tuple = {}
    for _ = 1, #row.cells do
      table.insert(tuple, cells[next_cell])
      next_cell = next_cell + 1
    end
    table.insert(result, '(' .. table.concat(tuple, ', ') .. ',)')
  end
  return result
end

local function text_length(text)
  return utf8.len(text) or #text
end

-- Per column, in characters: the longest word (header words count 15% wider, being
-- bold; a long word counts 60%, as Typst may hyphenate it) and the longest body cell. typst-template.typ's cp-table turns them into widths.
local function column_sizes(tbl)
  local least, most = {}, {}
  for index = 1, #tbl.colspecs do
    least[index], most[index] = 1, 1
  end
  local function visit(row, is_header)
    for index, cell in ipairs(row.cells) do
      local text = pandoc.utils.stringify(cell.contents)
      for word in text:gmatch('%S+') do
        local length = text_length(word)
        if length > 8 and not word:find('%d') then
          length = math.ceil(length * 0.6) -- a long word may be hyphenated
        end
        least[index] = math.max(least[index] or 1, length * (is_header and 1.15 or 1) + 0.5)
      end
      if not is_header then
        most[index] = math.max(most[index] or 1, text_length(text))
      end
    end
  end
  for _, row in ipairs(tbl.head.rows) do
    visit(row, true)
  end
  for _, body in ipairs(tbl.bodies) do
    for _, row in ipairs(body.body) do
      visit(row, false)
    end
  end
  local function numbers(values)
    local parts = {}
    for index = 1, #tbl.colspecs do
      table.insert(parts, string.format('%.1f', values[index] or 1))
    end
    return '(' .. table.concat(parts, ', ') .. ',)'
  end
  return numbers(least), numbers(most)
end

local function cp_table(tbl)
  local aligns = {}
  for _, colspec in ipairs(tbl.colspecs) do
    table.insert(aligns, typst_align[colspec[1]] or 'left')
  end
  local least, most = column_sizes(tbl)
  local lines = {
    '  align: (' .. table.concat(aligns, ', ') .. ',),',
    '  least: ' .. least .. ',',
    '  most: ' .. most .. ',',
  }
  local rows = pandoc.List({})
  rows:extend(tbl.head.rows)
  for _, body in ipairs(tbl.bodies) do
    rows:extend(body.body)
  end
  local tuples = typst_cells(rows)
  local first = 1
  if #tbl.head.rows == 1 then
    table.insert(lines, '  header: ' .. tuples[1] .. ',')
    first = 2
  end
  table.insert(lines, '  rows: (')
  for index = first, #tuples do
    table.insert(lines, '    ' .. tuples[index] .. ',')
  end
  table.insert(lines, '  ),')
  return 'cp-table(\n' .. table.concat(lines, '\n') .. '\n)'
end

local function typst_table(tbl)
  local code = cp_table(tbl)
  local caption = tbl.caption.long or {}
  local label = tbl.identifier:match('^tbl%-[%w_%-]+$')
  if #caption == 0 and not label then
    return pandoc.RawBlock('typst', '#' .. code)
  end
  local figure = '#figure(\n' .. code .. ',\n  kind: table,\n  supplement: '
    .. typst_markup({ pandoc.Plain({ pandoc.Str(table_title) }) })
    .. ',\n  caption: ' .. typst_markup(caption) .. ','
    .. (label and '' or '\n  numbering: none,') .. '\n)'
  if label then
    figure = figure .. ' <' .. label .. '>'
  end
  return pandoc.RawBlock('typst', figure)
end

function Meta(meta)
  if type(meta.crossref) == 'table' and meta.crossref['tbl-title'] ~= nil then
    table_title = pandoc.utils.stringify(meta.crossref['tbl-title'])
  end
end

function Table(tbl)
  for index, colspec in ipairs(tbl.colspecs) do
    local align = colspec[1]
    if is_typst and align == 'AlignDefault' then
      align = 'AlignLeft'
    end
    tbl.colspecs[index] = { align, nil }
  end
  if is_typst and is_simple(tbl) then
    return typst_table(tbl)
  end
  if not is_typst then
    return pandoc.Div({ tbl }, pandoc.Attr('', { 'table-scroll' }))
  end
  local caption = tbl.caption.long or {}
  if #caption > 0 and not tbl.identifier:match('^tbl%-[%w_%-]+$') then
    -- pandoc's writer would number it; a caption without a label is not numbered.
    tbl.caption = { long = {} }
    return {
      pandoc.RawBlock('typst', '#figure(kind: table, numbering: none, supplement: '
        .. typst_markup({ pandoc.Plain({ pandoc.Str(table_title) }) })
        .. ', caption: ' .. typst_markup(caption) .. ')['),
      tbl,
      pandoc.RawBlock('typst', ']'),
    }
  end
  return tbl
end

return {
  { Meta = Meta },
  { Table = Table },
}
