"""The viewer page: CesiumJS from the local server, the run's ``replay.czml``, offline imagery.

No Ion token and no network: the base layer is the Natural Earth II tile set bundled in the Cesium
build (a TileMapService on the same server), the terrain is the bare WGS-84 ellipsoid, and the
widgets that would reach the internet (base-layer picker, geocoder) are off.
"""

from __future__ import annotations

import html

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>iadsim replay: {title}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/cesium/Widgets/widgets.css">
<style>html,body,#cesiumContainer{{width:100%;height:100%;margin:0;padding:0;overflow:hidden;font-family:sans-serif}}
#banner{{position:absolute;top:6px;left:8px;z-index:10;background:rgba(255,255,255,.85);padding:4px 8px;
border-radius:4px;font-size:13px}}</style>
<script>window.CESIUM_BASE_URL = "/cesium/";</script>
<script src="/cesium/Cesium.js"></script>
</head><body>
<div id="cesiumContainer"></div>
<div id="banner">iadsim replay: <b>{title}</b> &mdash; simulation from public-source figures
 &middot; <a href="/report.html" target="_blank">report</a></div>
<script>
(async function () {{
  const imagery = Cesium.TileMapServiceImageryProvider.fromUrl(
      Cesium.buildModuleUrl("Assets/Textures/NaturalEarthII"));
  const viewer = new Cesium.Viewer("cesiumContainer", {{
    baseLayer: Cesium.ImageryLayer.fromProviderAsync(imagery),
    terrainProvider: new Cesium.EllipsoidTerrainProvider(),
    baseLayerPicker: false, geocoder: false, navigationHelpButton: false, fullscreenButton: false,
    sceneModePicker: true, homeButton: true, infoBox: true, selectionIndicator: true,
    animation: true, timeline: true, shouldAnimate: false,
  }});
  viewer.scene.globe.baseColor = Cesium.Color.fromCssColorString("#2b4a6f");
  window.iadsimViewer = viewer;
  const ds = await Cesium.CzmlDataSource.load("/replay.czml");
  await viewer.dataSources.add(ds);
  viewer.clockTrackedDataSource = ds;
  await viewer.zoomTo(ds.entities.values.filter(e => e.id.startsWith("unit/") || e.id.startsWith("asset/")),
                      new Cesium.HeadingPitchRange(0, -0.9, 450000));
  window.iadsimReady = true;
}})().catch(function (e) {{ console.error("iadsim viewer: " + e); }});
</script>
</body></html>
"""


def viewer_page(title: str) -> str:
    return PAGE.format(title=html.escape(title))
