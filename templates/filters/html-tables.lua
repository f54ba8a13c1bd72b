--[[
Tables a screen reader and a phone can use, in HTML (runs after table-layout.lua).

table-layout.lua puts each HTML table in a <div class="table-scroll">. This filter
turns that into:

  <div id="tbl-x" class="table-block">
    <div id="tbl-x-caption" class="table-caption">Table 3: caption</div>
    <p class="scroll-cue" aria-hidden="true">Scroll sideways to see the whole table.</p>
    <div class="table-scroll" role="region" tabindex="0" aria-labelledby="tbl-x-caption">
      <table aria-labelledby="tbl-x-caption">
        <thead><tr><th scope="col">...</th>...</tr></thead>
        <tbody><tr><th scope="row">first cell</th><td>...</td>...</tr>...</tbody>
      </table>
    </div>
  </div>

so the caption stays in view outside the scrolling box, the box can be reached and
scrolled with the keyboard and is announced by its caption, column headers are
<th scope="col"> and the first cell of each row is its row header <th scope="row">.
The cue is shown (report.css, report.html's script) only while the table is wider
than its box. The float's id moves to the block, so links to "Table 3" still land.
A table without a caption is labelled "Table N" by its position.
Other formats are left alone (table-layout.lua writes their tables).
]]

if not FORMAT:match('html') then
  return {}
end

local CUE = 'Scroll sideways to see the whole table.'
local count = 0

local function set_headers(tbl)
  for _, row in ipairs(tbl.head.rows) do
    for _, cell in ipairs(row.cells) do
      cell.attributes['scope'] = 'col'
    end
  end
  if #tbl.colspecs < 2 then
    return
  end
  for _, body in ipairs(tbl.bodies) do
    body.row_head_columns = math.max(body.row_head_columns, 1)
    for _, row in ipairs(body.body) do
      if #row.cells > 0 then
        row.cells[1].attributes['scope'] = 'row'
      end
    end
  end
end

local function table_block(div)
  local tbl = div.content[1]
  count = count + 1
  set_headers(tbl)
  local id = tbl.identifier ~= '' and tbl.identifier or ('table-' .. count)
  local caption_id = id .. '-caption'
  local caption = tbl.caption.long or {}
  tbl.identifier = ''
  tbl.caption = { long = {} }

  -- Attributes as a list of pairs, so they are written in this order every time; each
  -- set before its element goes into another (it is copied then).
  local region = { { 'role', 'region' }, { 'tabindex', '0' } }
  local blocks = pandoc.Blocks({})
  if #caption > 0 then
    blocks:insert(pandoc.Div(caption, pandoc.Attr(caption_id, { 'table-caption' })))
    table.insert(region, { 'aria-labelledby', caption_id })
    tbl.attributes['aria-labelledby'] = caption_id
  else
    table.insert(region, { 'aria-label', 'Table ' .. count })
  end
  blocks:insert(pandoc.RawBlock('html', '<p class="scroll-cue" aria-hidden="true">' .. CUE .. '</p>'))
  blocks:insert(pandoc.Div({ tbl }, pandoc.Attr('', { 'table-scroll' }, region)))
  return pandoc.Div(blocks, pandoc.Attr(id, { 'table-block' }))
end

function Div(div)
  if div.classes:includes('table-scroll') and #div.content == 1 and div.content[1].t == 'Table' then
    return table_block(div)
  end
  return nil
end
